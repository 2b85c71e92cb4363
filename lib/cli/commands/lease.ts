// Runtime leases from the shell. A lease is a Lua VM inside one engine, and an engine lives as
// long as one CLI process: so `lease create` shows what a create answers (then releases the
// lease), `lease eval` runs all its chunks in one lease (globals persist across them), and
// `lease list` / `lease close` only ever see the leases of their own process — for a lease that
// persists across inputs, use `luaskills repl`.
import type { Command } from 'commander';

import type { LuaSkillsEngine } from '../../engine/engine.js';
import type { LeaseErrorPayload } from '../../leases/payloads.js';
import type { RuntimeLeaseCreateRequest, RuntimeLeaseEvalRequest } from '../../leases/schemas.js';
import { withEngine } from '../context.js';
import { readJsonArg, readTextArg, parsePositiveInt } from '../input.js';
import { CliError, luaToJson, printResult, usageError, writeOut } from '../output.js';

interface CreateOptions {
  sid?: string;
  cwd?: string;
  ttl?: string;
  workspaceRoot?: string;
  luaRoot?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function createOptions(cmd: Command): Command {
  return cmd
    .option('--sid <sid>', 'session id (default cli-<pid>)')
    .option('--cwd <dir>', "the lease's working directory")
    .option('--ttl <sec>', 'time to live in seconds (1..3600, default 600)')
    .option('--workspace-root <dir>', 'vulcan.runtime.workspace_root')
    .option('--lua-root <dir>', 'prepend to package.path (repeatable)', collect);
}

function createRequest(o: CreateOptions): RuntimeLeaseCreateRequest {
  const request: RuntimeLeaseCreateRequest = { sid: o.sid ?? `cli-${process.pid}` };
  if (o.cwd !== undefined) request.cwd = o.cwd;
  if (o.ttl !== undefined) request.ttl_sec = parsePositiveInt(o.ttl, '--ttl');
  if (o.workspaceRoot !== undefined) request.workspace_root = o.workspaceRoot;
  if (o.luaRoot !== undefined) request.lua_roots = o.luaRoot;
  return request;
}

/** A lease outcome that failed becomes an error with its code. */
export function leaseFailure(payload: LeaseErrorPayload): CliError {
  return new CliError(payload.error_code, payload.message);
}

async function createLease(engine: LuaSkillsEngine, o: CreateOptions) {
  const created = await engine.leases.create(createRequest(o));
  if (!created.ok) throw leaseFailure(created);
  return created;
}

export function registerLeaseCommands(program: Command): void {
  const lease = program
    .command('lease')
    .description('runtime leases (persistent Lua VMs); a lease lives only inside one CLI process — see `repl`');

  createOptions(lease.command('create').description('create a lease, print its payload, release it (checks the options)')).action(
    async (o: CreateOptions, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const created = await createLease(engine, o);
        engine.leases.close({ lease_id: created.lease_id });
        printResult(json, created, () => `created lease ${created.lease_id} (sid ${created.sid}, generation ${created.generation}, ttl ${created.ttl_sec ?? 'infinite'} s); released again as this process ends`);
      });
    },
  );

  createOptions(
    lease
      .command('eval')
      .description('create a lease, evaluate each chunk in order in it (globals persist), close it')
      .argument('<code...>', 'Lua chunks: text, @file or - (stdin)')
      .option('--args <json>', 'the local `args` of every chunk: JSON, @file or -')
      .option('--timeout <ms>', 'timeout of each chunk in milliseconds'),
  ).action(async (chunks: string[], o: CreateOptions & { args?: string; timeout?: string }, cmd: Command) => {
    if (chunks.filter((c) => c === '-').length + (o.args === '-' ? 1 : 0) > 1) throw usageError('only one argument can read stdin');
    const sources: string[] = [];
    for (const c of chunks) sources.push(await readTextArg(c, 'lease eval code'));
    const args = await readJsonArg(o.args, '--args', undefined);
    const timeout = o.timeout === undefined ? undefined : parsePositiveInt(o.timeout, '--timeout');
    await withEngine(cmd, async ({ engine, json }) => {
      const created = await createLease(engine, o);
      try {
        for (const code of sources) {
          const request: RuntimeLeaseEvalRequest = { lease_id: created.lease_id, code };
          if (args !== undefined) request.args = args;
          if (timeout !== undefined) request.timeout_ms = timeout;
          const out = await engine.leases.eval(request);
          if (!out.ok) throw leaseFailure(out);
          writeOut(json ? luaToJson(out) : out.result === null ? 'nil' : luaToJson(out.result));
        }
      } finally {
        engine.leases.close({ lease_id: created.lease_id });
      }
    });
  });

  lease
    .command('list')
    .description("the active leases of this process (always none from the shell: leases end with their process)")
    .option('--sid <sid>', 'only this session id')
    .action(async (o: { sid?: string }, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const listed = engine.leases.list(o.sid === undefined ? {} : { sid: o.sid });
        if (!listed.ok) throw leaseFailure(listed);
        printResult(json, listed, () =>
          listed.leases.length === 0 ? 'no active leases (a lease lives only inside one process; use `luaskills repl`)' : listed.leases.map((l) => `${l.lease_id}  ${l.sid}  generation ${l.generation}`).join('\n'),
        );
      });
    });

  lease
    .command('close')
    .description("close a lease of this process (from the shell: lease_not_found, leases end with their process)")
    .argument('<lease_id>', 'lease id')
    .action(async (leaseId: string, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const closed = engine.leases.close({ lease_id: leaseId });
        if (!closed.ok) throw leaseFailure(closed);
        printResult(json, closed, () => `${closed.lease_id} closed`);
      });
    });
}
