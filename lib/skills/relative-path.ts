// The path rule of skill.yaml: `lua_entry` under runtime/, `input_schema_file` under schemas/,
// help files under help/. Enforced on every platform with both separators, so a package that
// loads on Linux cannot smuggle `runtime\..\x` through to Windows.
import path from 'node:path';

/** A checked skill-relative path: its normal segments, or upstream's error text. */
export type RelativePathCheck = { ok: true; segments: string[] } | { ok: false; message: string };

/**
 * Checks `value` against `<prefix>/...` with only normal components. Messages are upstream's:
 * `<label> must not be empty`, `<label> must be a relative path under <prefix>`,
 * `<label> must start with <prefix>/`, `<label> must not contain parent`.
 */
export function checkSkillRelativePath(value: string, prefix: string, label: string): RelativePathCheck {
  const trimmed = value.trim();
  if (trimmed === '') return { ok: false, message: `${label} must not be empty` };
  if (path.posix.isAbsolute(trimmed) || path.win32.isAbsolute(trimmed)) {
    return { ok: false, message: `${label} must be a relative path under ${prefix}` };
  }
  const normalized = trimmed.replaceAll('\\', '/');
  if (!normalized.startsWith(`${prefix}/`)) return { ok: false, message: `${label} must start with ${prefix}/` };
  // Empty segments come from repeated or trailing separators, which Rust's Path ignores too.
  const segments = normalized.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..' || segment.includes('\0'))) {
    return { ok: false, message: `${label} must not contain parent` };
  }
  return { ok: true, segments };
}
