// Typebox schemas of the lease requests, field for field as the seed's serde structs accept them:
// unknown fields are ignored (serde's default), `null` is accepted wherever the seed has an
// Option, and list fields must be arrays when present.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

import { LeaseRequestError } from './errors.js';

// `expected` names the accepted type in error messages.
const u64 = Type.Integer({ minimum: 0, expected: 'an unsigned integer' });
const text = Type.String({ expected: 'a string' });
const optionalText = Type.Optional(Type.Union([Type.String(), Type.Null()], { expected: 'a string or null' }));
const optionalU64 = Type.Optional(
  Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { expected: 'an unsigned integer or null' }),
);
const pathList = Type.Optional(Type.Array(text, { expected: 'an array of strings' }));

export const RuntimeLeaseCreateRequestSchema = Type.Object(
  {
    /** Stable session id chosen by the host; trimmed, 1..128 bytes, no NUL. */
    sid: text,
    /** Lifetime in seconds, sliding on every eval. public: default 600, 0 refused; system: absent or 0 = infinite. Clamped to 1..3600. */
    ttl_sec: optionalU64,
    /** Retire the SID's current lease (`lease_replaced`) instead of answering `lease_exists`. */
    replace: Type.Optional(Type.Boolean({ expected: 'a boolean' })),
    /** Logical cwd of the lease VM (relative file operations, spawned processes). */
    cwd: optionalText,
    /** Recorded for the host; readable from Lua as `vulcan.runtime.workspace_root`. */
    workspace_root: optionalText,
    /** Prepended to `package.path` as `<r>/?.lua;<r>/?/init.lua;`. */
    lua_roots: pathList,
    /** Prepended to `package.cpath` as `<r>/?.so;<r>/?/init.so;` (`dll`/`dylib` elsewhere). */
    c_roots: pathList,
    /** Host mount metadata: an object or null. Default `{}`. */
    mounts: Type.Optional(Type.Unknown()),
  },
  { expected: 'a JSON object' },
);
export type RuntimeLeaseCreateRequest = Static<typeof RuntimeLeaseCreateRequestSchema>;

const HostResultCapabilitySchema = Type.Object({
  enabled: Type.Optional(Type.Boolean({ expected: 'a boolean' })),
  allowed_kinds: Type.Optional(Type.Array(text, { expected: 'an array of strings' })),
  max_payload_bytes: optionalU64,
});

/** The host's request metadata, set as `vulcan.context.request` for one eval. */
export const RuntimeRequestContextSchema = Type.Object(
  {
    request_id: optionalText,
    client_name: optionalText,
    transport_name: optionalText,
    session_id: optionalText,
    client_info: Type.Optional(
      Type.Union(
        [Type.Object({ kind: optionalText, name: optionalText, version: optionalText }), Type.Null()],
        { expected: 'an object or null' },
      ),
    ),
    client_capabilities: Type.Optional(
      Type.Object(
        {
          host_result: Type.Optional(
            Type.Union([HostResultCapabilitySchema, Type.Null()], { expected: 'an object or null' }),
          ),
        },
        { expected: 'an object' },
      ),
    ),
  },
  { expected: 'an object' },
);
export type RuntimeRequestContext = Static<typeof RuntimeRequestContextSchema>;

const identityFields = {
  /** The id create returned. */
  lease_id: text,
  /** When given, the lease must belong to this SID (`lease_sid_mismatch`). */
  sid: optionalText,
  /** When given, the lease must be this generation of its SID (`lease_generation_mismatch`). */
  generation: optionalU64,
};

export const RuntimeLeaseEvalRequestSchema = Type.Object(
  {
    ...identityFields,
    /** Lua source, run as the body of a function; its first return value is the result. */
    code: text,
    /** The local `args` of the code. Default `{}`. */
    args: Type.Optional(Type.Unknown()),
    /** Stop the eval after this many milliseconds. Default 60000; 0 is refused. */
    timeout_ms: Type.Optional(u64),
    /** Set as `vulcan.context.request` (and `client_info`, `client_capabilities`). */
    request_context: Type.Optional(
      Type.Union([RuntimeRequestContextSchema, Type.Null()], { expected: 'an object or null' }),
    ),
    /** Set as `vulcan.context.client_budget` when an object; `{}` otherwise. */
    client_budget: Type.Optional(Type.Unknown()),
    /** Set as `vulcan.context.tool_config` when an object; `{}` otherwise. */
    tool_config: Type.Optional(Type.Unknown()),
  },
  { expected: 'a JSON object' },
);
export type RuntimeLeaseEvalRequest = Static<typeof RuntimeLeaseEvalRequestSchema>;

/** Status and close name a lease the same way. */
export const RuntimeLeaseIdentityRequestSchema = Type.Object({ ...identityFields }, { expected: 'a JSON object' });
export type RuntimeLeaseIdentityRequest = Static<typeof RuntimeLeaseIdentityRequestSchema>;

export const RuntimeLeaseListRequestSchema = Type.Object(
  {
    /** Only the leases of this SID. */
    sid: optionalText,
  },
  { expected: 'a JSON object' },
);
export type RuntimeLeaseListRequest = Static<typeof RuntimeLeaseListRequestSchema>;

/** The five request kinds, as they appear in the seed's messages. */
export type LeaseRequestKind = 'create' | 'eval' | 'status' | 'list' | 'close';

function fieldName(path: string): string {
  return path
    .slice(1)
    .split('/')
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

// A union reports itself; when one of its variants failed deeper inside (a field of an object
// that may also be null), that deeper error names the field the host got wrong.
function innermost(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error;
  for (const variant of error.errors) {
    const inner = variant.First();
    if (inner !== undefined && inner.path.length > error.path.length) return innermost(inner);
  }
  return error;
}

/**
 * Compiles a checker whose errors read `<prefix>: missing field \`sid\`` or
 * `<prefix>: invalid type for field \`ttl_sec\`: expected an unsigned integer or null`.
 */
export function compileLeaseRequest<T extends TSchema>(schema: T): (value: unknown, prefix: string) => Static<T> {
  const checker = TypeCompiler.Compile(schema);
  return (value, prefix) => {
    if (checker.Check(value)) return value;
    const found = checker.Errors(value).First();
    if (found === undefined) throw new LeaseRequestError(`${prefix}: invalid request`);
    const first = innermost(found);
    const field = fieldName(first.path);
    if (first.type === ValueErrorType.ObjectRequiredProperty) {
      throw new LeaseRequestError(`${prefix}: missing field \`${field}\``);
    }
    const expected = (first.schema as { expected?: unknown }).expected;
    const what = typeof expected === 'string' ? `expected ${expected}` : first.message;
    if (field === '') throw new LeaseRequestError(`${prefix}: ${what}`);
    throw new LeaseRequestError(`${prefix}: invalid type for field \`${field}\`: ${what}`);
  };
}

/** Parses request JSON text; a syntax error names the request kind as the seed does. */
export function parseLeaseJson(textIn: unknown, kind: LeaseRequestKind): unknown {
  const prefix = `Invalid runtime session ${kind} JSON`;
  if (typeof textIn !== 'string') throw new LeaseRequestError(`${prefix}: expected a JSON string`);
  try {
    return JSON.parse(textIn) as unknown;
  } catch (err) {
    throw new LeaseRequestError(`${prefix}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
