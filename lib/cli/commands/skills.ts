// Using the loaded skills: `list`, `help [skill] [flow]`, `call <tool> [input]`, `run-lua <code>`.
import type { Command } from 'commander';

import type { InvocationContext } from '../../engine/skills-runtime.js';
import { withEngine } from '../context.js';
import { readJsonArg, readTextArg, parsePositiveInt } from '../input.js';
import { withInterrupt } from '../interrupt.js';
import { CliError, formatTable, luaToJson, printResult, usageError, writeOut } from '../output.js';

type Authority = 'system' | 'delegated_tool';

function authorityOf(value: string | undefined): Authority {
  if (value === undefined || value === 'system') return 'system';
  if (value === 'delegated_tool') return 'delegated_tool';
  throw usageError(`--authority must be 'system' or 'delegated_tool', got '${value}'`);
}

async function contextOf(arg: string | undefined): Promise<InvocationContext | undefined> {
  const ctx = await readJsonArg(arg, '--context', undefined);
  if (ctx === undefined) return undefined;
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) throw usageError('--context must be a JSON object');
  return ctx as InvocationContext;
}

export function registerSkillCommands(program: Command): void {
  program
    .command('list')
    .description('list the entries of the loaded skills (and skills that failed to load)')
    .option('--authority <authority>', "'system' (everything) or 'delegated_tool' (ROOT hidden)", 'system')
    .action(async (opts: { authority?: string }, cmd: Command) => {
      const authority = authorityOf(opts.authority);
      await withEngine(cmd, async ({ engine, report, json }) => {
        const entries = engine.listEntries(authority);
        printResult(json, { entries, failed: report.failed, skipped: report.skipped }, () => {
          if (entries.length === 0) return 'no skills loaded';
          return formatTable(
            ['TOOL', 'SKILL', 'ROOT', 'DESCRIPTION'],
            entries.map((e) => [e.canonical_name, e.skill_id, e.root_name, e.description.split('\n')[0] ?? '']),
          );
        });
        if (!json) for (const f of report.failed) process.stderr.write(`warning: skill '${f.skill_id}' (${f.root_name}) failed to load: ${f.code}: ${f.message}\n`);
      });
    });

  program
    .command('help')
    .description("show a skill's help flow (default 'main'); without a skill, list the skills' help")
    .argument('[skill]', 'skill id')
    .argument('[flow]', "help flow name (default 'main')")
    .action(async (skill: string | undefined, flow: string | undefined, _opts: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        if (skill === undefined) {
          const help = engine.listSkillHelp();
          printResult(json, help, () =>
            help.length === 0
              ? 'no skills loaded'
              : formatTable(
                  ['SKILL', 'FLOWS', 'DESCRIPTION'],
                  help.map((h) => [h.skill_id, ['main', ...h.flows.map((f) => f.flow_name)].join(','), h.main.description]),
                ),
          );
          return;
        }
        const detail = await engine.renderSkillHelpDetail(skill, flow ?? 'main');
        if (detail === null) throw new CliError('skill_not_found', `Skill '${skill}' not found`);
        printResult(json, detail, () => detail.content);
      });
    });

  program
    .command('call')
    .description('call a skill entry; the input is JSON text, @file or - (stdin), default {}')
    .argument('<tool>', 'canonical entry name: <skill_id>-<entry>')
    .argument('[input]', 'JSON arguments, @file or -')
    .option('--timeout <ms>', 'timeout in milliseconds')
    .option('--context <json>', 'invocation context (request_context, client_budget, tool_config): JSON, @file or -')
    .action(async (tool: string, input: string | undefined, opts: { timeout?: string; context?: string }, cmd: Command) => {
      const args = await readJsonArg(input, 'call input', {});
      const ctx = await contextOf(opts.context);
      const timeoutMs = opts.timeout === undefined ? undefined : parsePositiveInt(opts.timeout, '--timeout');
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await withInterrupt((signal) => engine.callSkill(tool, args, ctx, timeoutMs === undefined ? { signal } : { signal, timeoutMs }));
        printResult(json, result, () => result.content);
      });
    });

  program
    .command('run-lua')
    .description('run one-shot Lua on the skill pool; prints its first result')
    .argument('<code>', 'Lua code, @file or - (stdin)')
    .option('--args <json>', 'the local `args`: JSON, @file or -')
    .option('--timeout <ms>', 'timeout in milliseconds')
    .action(async (code: string, opts: { args?: string; timeout?: string }, cmd: Command) => {
      if (code === '-' && opts.args === '-') throw usageError('only one of <code> and --args can read stdin');
      const source = await readTextArg(code, 'run-lua code');
      const args = await readJsonArg(opts.args, '--args', {});
      const timeoutMs = opts.timeout === undefined ? undefined : parsePositiveInt(opts.timeout, '--timeout');
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await withInterrupt((signal) => engine.runLua(source, args, undefined, timeoutMs === undefined ? { signal } : { signal, timeoutMs }));
        writeOut(json ? luaToJson({ result: result ?? null }) : typeof result === 'string' ? result : luaToJson(result ?? null));
      });
    });
}
