// The two naming rules every skill package obeys: LuaSkills identifiers (skill ids, entry names)
// and strict SemVer versions. Both return an error text instead of throwing, so callers can wrap
// it in upstream's per-site prefix ("skill <dir>: ...", "skill <name> entry <n>: ...").
import semver from 'semver';

/** The identifier rule, as upstream prints it in its error texts. */
export const IDENTIFIER_PATTERN_TEXT = '^[a-z]([a-z0-9-]*[a-z0-9])?$';

// Upstream trims before checking; consecutive hyphens ("a--b") are accepted.
const IDENTIFIER = /^[a-z][a-z0-9-]*$/;

/** True when `value` (trimmed) is a LuaSkills identifier: `vulcan-codekit`, `codekit2`. */
export function isValidIdentifier(value: string): boolean {
  const trimmed = value.trim();
  return IDENTIFIER.test(trimmed) && !trimmed.endsWith('-');
}

/** `undefined` when valid, else `"<label> must match ^[a-z]([a-z0-9-]*[a-z0-9])?$"`. */
export function identifierError(value: string, label: string): string | undefined {
  return isValidIdentifier(value) ? undefined : `${label} must match ${IDENTIFIER_PATTERN_TEXT}`;
}

/**
 * `undefined` when `value` (trimmed) is a strict SemVer 2.0 version (`1.2.3-beta.1+b.7`), else
 * the error text. npm's semver accepts a leading `v` even in strict mode; Rust's `semver` (what
 * upstream uses) does not, so the parsed version must print back as the input.
 */
export function versionError(value: string, label: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return `${label} must not be empty`;
  const parsed = semver.parse(trimmed);
  const printed = parsed ? parsed.version + (parsed.build.length > 0 ? `+${parsed.build.join('.')}` : '') : '';
  if (printed === trimmed) return undefined;
  return `${label} must be a valid semantic version: '${trimmed}' is not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`;
}
