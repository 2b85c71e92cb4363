import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { LeaseRequestError } from './errors.js';
import type { LeaseProfile } from './profile.js';
import { trimWhiteSpace } from './sid.js';

/** Where a lease lives on disk, as the host gave it (strings are shown back unchanged). */
export interface LeasePathContext {
  /** Logical working directory of the lease VM; `null`: the process cwd. */
  cwd: string | null;
  /** Host bookkeeping only; readable from Lua as `vulcan.runtime.workspace_root`. */
  workspaceRoot: string | null;
  /** Prepended to `package.path`, first one first. */
  luaRoots: string[];
  /** Prepended to `package.cpath`, first one first. */
  cRoots: string[];
  /** Host-owned mount metadata: an object or null, recorded as given. */
  mounts: Record<string, unknown> | null;
  /** The system Lua library directory of a `system_lua_lib` lease; null for public leases. */
  systemLuaLib: string | null;
}

// Windows path rules of the seed (`has_invalid_windows_path_syntax`): control characters, the
// reserved `< > " | ? *`, and `:` anywhere but after a leading drive letter. `\\?\` paths pass.
function hasInvalidWindowsPathSyntax(value: string): boolean {
  if (value.startsWith('\\\\?\\')) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20) return true;
    const ch = value[i];
    if (ch === '<' || ch === '>' || ch === '"' || ch === '|' || ch === '?' || ch === '*') return true;
    if (ch === ':' && !(i === 1 && /^[A-Za-z]$/.test(value[0] ?? ''))) return true;
  }
  return false;
}

/** Trims an optional path; blank → null; a NUL (or bad Windows syntax) is a request error. */
export function normalizeOptionalLeasePath(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = trimWhiteSpace(value);
  if (trimmed === '') return null;
  if (trimmed.includes('\0')) throw new LeaseRequestError(`${field} must not contain NUL bytes`);
  if (process.platform === 'win32' && hasInvalidWindowsPathSyntax(trimmed)) {
    throw new LeaseRequestError(`${field} contains unsupported Windows path syntax`);
  }
  return trimmed;
}

/** Normalizes each entry (`lua_roots[2]` names a bad one); blank entries are dropped. */
export function normalizeLeasePathList(values: readonly string[] | undefined, field: string): string[] {
  const out: string[] = [];
  (values ?? []).forEach((value, index) => {
    const item = normalizeOptionalLeasePath(value, `${field}[${index}]`);
    if (item !== null) out.push(item);
  });
  return out;
}

/**
 * Path equality by components, as Rust's `Path ==` compares: repeated separators, interior `.`
 * and a trailing separator do not make two paths different.
 */
export function samePath(a: string, b: string): boolean {
  const parts = (p: string): string[] => {
    const sep = process.platform === 'win32' ? /[\\/]+/ : /\/+/;
    const raw = p.split(sep);
    const lead = raw[0] === '' ? ['/'] : [];
    return [...lead, ...raw.filter((part, i) => part !== '' && !(part === '.' && i > 0))];
  };
  const pa = parts(a);
  const pb = parts(b);
  return pa.length === pb.length && pa.every((part, i) => part === pb[i]);
}

/** What {@link resolveLeasePathContext} reads from a create request. */
export interface LeasePathRequest {
  cwd?: string | null;
  workspace_root?: string | null;
  lua_roots?: string[];
  c_roots?: string[];
  mounts?: unknown;
}

/**
 * Builds a lease's path context. A `system_lua_lib` lease gets the engine's system directory
 * (created if missing) as its default cwd and first Lua root.
 */
export async function resolveLeasePathContext(
  request: LeasePathRequest,
  profile: LeaseProfile,
  systemLuaLibDir: string,
): Promise<LeasePathContext> {
  const context: LeasePathContext = {
    cwd: normalizeOptionalLeasePath(request.cwd, 'cwd'),
    workspaceRoot: normalizeOptionalLeasePath(request.workspace_root, 'workspace_root'),
    luaRoots: normalizeLeasePathList(request.lua_roots, 'lua_roots'),
    cRoots: normalizeLeasePathList(request.c_roots, 'c_roots'),
    mounts: null,
    systemLuaLib: null,
  };
  // Absent mounts default to {} (the seed's serde default); null stays null.
  const mounts = request.mounts === undefined ? {} : request.mounts;
  if (mounts !== null && (typeof mounts !== 'object' || Array.isArray(mounts))) {
    throw new LeaseRequestError('runtime lease mounts must be one JSON object when present');
  }
  context.mounts = mounts as Record<string, unknown> | null;
  if (profile === 'system_lua_lib') {
    try {
      await mkdir(systemLuaLibDir, { recursive: true });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new LeaseRequestError(`failed to create system_lua_lib_dir ${systemLuaLibDir}: ${reason}`);
    }
    context.systemLuaLib = systemLuaLibDir;
    context.cwd ??= systemLuaLibDir;
    if (!context.luaRoots.some((root) => samePath(root, systemLuaLibDir))) context.luaRoots.unshift(systemLuaLibDir);
  }
  return context;
}

/** The native module extension of this platform, as the seed picks it. */
export function nativeExtension(): string {
  if (process.platform === 'win32') return 'dll';
  if (process.platform === 'darwin') return 'dylib';
  return 'so';
}

/** `<r>/?.lua;<r>/?/init.lua;` for each root (backslashes on Windows). */
export function luaPathPrefix(roots: readonly string[]): string {
  const s = process.platform === 'win32' ? '\\' : '/';
  return roots.map((r) => `${r}${s}?.lua;${r}${s}?${s}init.lua;`).join('');
}

/** `<r>/?.so;<r>/?/init.so;` for each root (`dll`/`dylib` elsewhere). */
export function cPathPrefix(roots: readonly string[]): string {
  const s = process.platform === 'win32' ? '\\' : '/';
  const ext = nativeExtension();
  return roots.map((r) => `${r}${s}?.${ext};${r}${s}?${s}init.${ext};`).join('');
}

/** The lease cwd made absolute against the process cwd at creation, for the Lua side. */
export function absoluteLeaseCwd(cwd: string | null): string | null {
  return cwd === null ? null : path.resolve(cwd);
}
