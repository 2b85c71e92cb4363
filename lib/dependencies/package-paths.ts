// The `package.path` / `package.cpath` prefixes every skill VM starts with (upstream
// `setup_package_paths`): the Lua packages folder in its LuaRocks-like layout, then the host FFI
// root, so Lua modules and Lua C modules placed there load with a plain `require`. Only folders
// that exist are added. Dependency install roots are never added (upstream: skills reach them
// through `vulcan.deps.*_path`, or `package.loadlib` for a native library).
import path from 'node:path';

import { isDirectory } from '../fs-checks.js';
import { cPathPrefix, nativeExtension } from '../leases/paths.js';
import { dependencyRootsFor, type DependencyPathOptions } from './paths.js';

/** Text prepended to `package.path` and `package.cpath` (empty strings: nothing to add). */
export interface PackageSearchPrefixes {
  path: string;
  cpath: string;
}

/** Upstream's patterns under a Lua packages folder `p` (LuaRocks tree plus `p/?.lua`). */
function luaPackagesPrefixes(p: string): PackageSearchPrefixes {
  const s = process.platform === 'win32' ? '\\' : '/';
  const ext = nativeExtension();
  return {
    path: `${p}${s}share${s}lua${s}?.lua;${p}${s}share${s}lua${s}?${s}init.lua;${p}${s}?.lua;`,
    cpath: `${p}${s}lib${s}lua${s}?.${ext};${p}${s}lib${s}lua${s}?${s}init.${ext};${p}${s}lib${s}lua${s}loadall.${ext};${p}${s}?${s}?.${ext};`,
  };
}

/**
 * The prefixes for skills loaded from `skillsDirs`: for each, the Lua packages folder
 * (`luaPackagesDir`, else `<skills_dir>/../lua_packages`) and the host FFI root (as the
 * dependency manager probes it: `hostProvidedFfiRoot`, else `<skills_dir>/../libs`), each once,
 * in root order, when it is a folder.
 */
export async function packageSearchPrefixes(skillsDirs: readonly string[], options: DependencyPathOptions): Promise<PackageSearchPrefixes> {
  const luaDirs: string[] = [];
  const ffiDirs: string[] = [];
  for (const skillsDir of skillsDirs) {
    const parent = path.dirname(path.resolve(skillsDir));
    const luaDir = path.resolve(options.luaPackagesDir ?? path.join(parent, 'lua_packages'));
    const ffiDir = path.resolve(dependencyRootsFor(skillsDir, options).host.ffi);
    if (!luaDirs.includes(luaDir) && (await isDirectory(luaDir))) luaDirs.push(luaDir);
    if (!ffiDirs.includes(ffiDir) && (await isDirectory(ffiDir))) ffiDirs.push(ffiDir);
  }
  const lua = luaDirs.map(luaPackagesPrefixes);
  return {
    path: lua.map((p) => p.path).join(''),
    cpath: lua.map((p) => p.cpath).join('') + cPathPrefix(ffiDirs),
  };
}
