// luaexec (upstream `vulcan.runtime.lua.exec` / `execute_runlua_request_json_inline`): Lua code
// or a Lua file run in a VM of a dedicated pool, with print captured, a timeout (default 60 s),
// and the result rendered as upstream's Markdown — a string even when the code fails.
import type { PackageSearchPrefixes } from '../dependencies/package-paths.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Type, type Static } from '@sinclair/typebox';

import { CodedError } from '../coded-error.js';
import { LuaError } from '../vm/errors.js';
import type { LuaFunction } from '../vm/lua-vm.js';
import { compileValidator } from '../vm/options.js';
import type { VulcanServices } from '../vulcan/services.js';
import { renderFailure, renderSuccess, type RenderedValue } from './luaexec-render.js';
import { runLuaFile } from '../lua-files.js';
import { SkillVm, type SkillEntryRuntime } from './skill-vm.js';

/** Upstream `RunLuaExecRequest`; unknown fields are ignored, as serde ignores them. */
export const LuaExecRequestSchema = Type.Object({
  task: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  file: Type.Optional(Type.String()),
  args: Type.Optional(Type.Unknown()),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  caller_tool_name: Type.Optional(Type.String()),
});
export type LuaExecRequest = Static<typeof LuaExecRequestSchema>;

export const LUAEXEC_ERROR_CODES = ['invalid_request', 'file_unreadable'] as const;
export type LuaExecErrorCode = (typeof LUAEXEC_ERROR_CODES)[number];

/** A luaexec request refused before any Lua ran (code that fails gives a Markdown error instead). */
export class LuaExecError extends CodedError<LuaExecErrorCode> {
  override readonly name = 'LuaExecError';
}

export const LUAEXEC_DEFAULT_TIMEOUT_MS = 60_000;

const checkRequest = compileValidator(LuaExecRequestSchema, 'luaexec request');

/** Validates a request (a TypeError names the field). */
export function parseLuaExecRequest(input: unknown): LuaExecRequest {
  return checkRequest(input);
}

/** A request from JSON text (`execute_runlua_request_json_inline`); any fault is `invalid_request`. */
export function parseLuaExecJson(json: string): LuaExecRequest {
  try {
    return parseLuaExecRequest(JSON.parse(json));
  } catch (err) {
    throw new LuaExecError('invalid_request', `Invalid luaexec request JSON: ${(err as Error).message}`);
  }
}

/** The code to run and, for a file, its absolute path. */
export async function resolveLuaExecSource(request: LuaExecRequest): Promise<{ code: string; file?: string }> {
  const code = request.code?.trim() ? request.code.trim() : undefined;
  const file = request.file?.trim() ? request.file.trim() : undefined;
  if (code !== undefined && file !== undefined) throw new LuaExecError('invalid_request', 'luaexec accepts either code or file, but not both');
  if (code === undefined && file === undefined) throw new LuaExecError('invalid_request', 'luaexec requires code or file');
  if (code !== undefined) return { code };
  const text = file as string;
  if (text.includes('\0')) throw new LuaExecError('invalid_request', 'luaexec: file must not contain NUL bytes');
  if (/^(table|function|thread|userdata): 0x/.test(text)) {
    throw new LuaExecError('invalid_request', `luaexec: file looks like a coerced Lua object string \`${text}\``);
  }
  const absolute = path.resolve(text);
  try {
    return { code: await readFile(absolute, 'utf8'), file: absolute };
  } catch (err) {
    throw new LuaExecError('file_unreadable', `Failed to read luaexec file ${absolute}: ${(err as Error).message}`, { cause: err });
  }
}

/** A VM of the luaexec pool: a skill VM with upstream's luaexec environment on top. */
export class LuaExecVm {
  readonly skill: SkillVm;
  readonly #begin: LuaFunction;
  readonly #run: LuaFunction;
  readonly #end: LuaFunction;

  constructor(entries: Record<string, SkillEntryRuntime>, services: VulcanServices, managedIo: boolean, packagePaths?: PackageSearchPrefixes) {
    this.skill = new SkillVm(entries, packagePaths ? { services, packagePaths } : { services });
    const vm = this.skill.vm;
    try {
      runLuaFile(vm, 'luaexec.lua', { managed_io: managedIo });
      this.#begin = vm.getFunction('__luaskills_luaexec_begin');
      this.#run = vm.getFunction('__luaskills_luaexec_run');
      this.#end = vm.getFunction('__luaskills_luaexec_end');
      for (const name of ['__luaskills_luaexec_begin', '__luaskills_luaexec_run', '__luaskills_luaexec_end']) vm.setGlobal(name, undefined);
    } catch (err) {
      vm.close();
      throw err;
    }
  }

  /** Runs `code` and renders the result; `failed` says whether it raised (the VM may need discarding). */
  async run(task: string, source: { code: string; file?: string }, args: unknown, caller: string | undefined, timeoutMs: number) {
    this.skill.enterScope({});
    this.#begin.callSync(caller, source.file);
    let values: RenderedValue[] | undefined;
    let error: unknown;
    try {
      values = (await this.#run.callWith([source.code, args ?? {}], { timeoutMs })) as unknown as RenderedValue[];
    } catch (err) {
      error = err;
    }
    let printed: string[] = [];
    if (!this.skill.vm.closed) {
      printed = (this.#end.callSync() as string[] | undefined) ?? [];
      this.skill.leaveScope();
    }
    if (values !== undefined) return { markdown: renderSuccess(task, printed, values), failed: undefined };
    const text =
      error instanceof LuaError && error.code === 'timeout'
        ? `luaexec execution timed out after ${timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
    return { markdown: renderFailure(task, printed, text), failed: error };
  }

  close(): void {
    this.skill.close();
  }
}
