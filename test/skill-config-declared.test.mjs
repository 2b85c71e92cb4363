// Declared skill config (upstream 0.5.5 package-level config contract): the `config:` list of
// skill.yaml, typed and validated values through vulcan.config and engine.config, describe /
// validate / status, sensitive values kept out of every listing, the store revision with
// compare-and-swap and the cross-process .lock file — through a real engine, real files, child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine, loadSkillPackage, parseConfigDeclarations, SENSITIVE_CONFIG_MASK, SkillConfigStore } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const work = mkdtempSync(path.join(tmpdir(), 'luaskills-declared-'));
after(() => rmSync(work, { recursive: true, force: true }));

const ret = (expr) => `return function(args) ${expr} end`;

const DECLARED = [
  { key: 'retry_count', type: 'integer', description: 'Retries per request', default: 3, constraints: { minimum: 0, maximum: 10 }, group: 'network', order: 10 },
  { key: 'ratio', type: 'float', description: 'Sampling ratio', constraints: { minimum: 0, maximum: 1 } },
  { key: 'verbose', type: 'boolean', description: 'Verbose output', default: false, advanced: true },
  {
    key: 'provider',
    type: 'enum',
    description: 'Model provider',
    required: true,
    options: [{ value: 'openai', label: 'OpenAI', description: 'OpenAI-compatible' }, { value: 'local' }],
  },
  { key: 'api.key', type: 'string', description: 'API key', sensitive: true, required: true, format: 'password', constraints: { min_length: 4, max_length: 64 } },
  { key: 'big', type: 'integer', description: 'A large integer' },
  { key: 'note', type: 'string', description: 'Free text', placeholder: 'anything', format: 'multiline', restart_required: true },
];

// A package directory with the given `config:` (as JSON, which is YAML) and one entry.
function packageWith(config) {
  const dir = path.join(mkdtempSync(path.join(work, 'pkg-')), 'demo');
  mkdirSync(path.join(dir, 'runtime'), { recursive: true });
  writeFileSync(path.join(dir, 'runtime', 'run.lua'), 'return function() return "ok" end');
  const lines = ['name: demo', 'version: 1.0.0'];
  if (config !== undefined) lines.push(`config: ${JSON.stringify(config)}`);
  lines.push('entries:', '  - name: run', '    lua_entry: runtime/run.lua', '    lua_module: demo_run');
  writeFileSync(path.join(dir, 'skill.yaml'), lines.join('\n') + '\n');
  return dir;
}
const load = (config) => loadSkillPackage(packageWith(config), { root_name: 'ROOT', skills_root: work });

async function refusal(config) {
  try {
    await load(config);
  } catch (err) {
    assert.equal(err.name, 'SkillPackageError');
    assert.equal(err.code, 'invalid_config_declaration');
    return err.message;
  }
  assert.fail('the package loaded');
}

async function engineWith(skills, extras) {
  const { root, skillsDir } = writeSkills(skills, work, extras);
  const logs = [];
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 } });
  engine.on('log', (r) => logs.push(r));
  const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
  assert.deepEqual(report.failed, []);
  return { engine, root, logs, file: path.join(root, 'config', 'system-skills', 'config.json') };
}

test('manifest: config items are parsed with their defaults; no config: is an empty list', async () => {
  assert.deepEqual((await load(undefined)).config, []);
  const pkg = await load(DECLARED);
  assert.equal(pkg.config.length, DECLARED.length);
  assert.deepEqual(pkg.config[0], {
    key: 'retry_count', type: 'integer', description: 'Retries per request', required: false, sensitive: false, default: 3, example: null,
    title: null, group: 'network', order: 10, advanced: false, placeholder: null, format: null, restart_required: false,
    deprecated: false, deprecation_message: null, constraints: { minimum: 0, maximum: 10 }, options: [],
  });
  assert.deepEqual(pkg.config[3].options, [{ value: 'openai', label: 'OpenAI', description: 'OpenAI-compatible' }, { value: 'local', label: null, description: null }]);
  assert.equal(pkg.config[4].sensitive, true);
  assert.equal(pkg.config[4].format, 'password');
  // Numbers and booleans may be written as their stored strings; the parsed default is typed.
  assert.equal((await load([{ key: 'n', type: 'integer', description: 'd', default: '7' }])).config[0].default, 7);
  assert.equal((await load([{ key: 'f', type: 'float', description: 'd', default: -0 }])).config[0].default, 0);
  assert.equal((await load([{ key: 'x', type: 'string', description: 'd', deprecated: true, deprecation_message: 'use y' }])).config[0].deprecated, true);
});

test('manifest: bad config declarations are refused naming the item and field', async () => {
  const item = (extra) => ({ key: 'k', type: 'string', description: 'd', ...extra });
  const cases = [
    [{ a: 1 }, 'config: must be a list of config items'],
    [[item(), 'x'], 'config[1]: must be a mapping'],
    [[item(), item({ key: 'Bad' })], "config[1].key: 'Bad' must start with a lowercase ASCII letter and contain only [a-z0-9_.-]"],
    [[item({ key: undefined })], 'config[0].key: missing field'],
    [[item({ key: 'a..b' })], "config[0].key: 'a..b' must not contain consecutive dots"],
    [[item({ key: 'trailing_' })], "config[0].key: 'trailing_' must not end with '.', '-' or '_'"],
    [[item({ key: 'luaskills.internal' })], "config[0].key: 'luaskills.internal' uses the reserved prefix 'luaskills.'"],
    [[item({ key: 'a'.repeat(129) })], 'config[0].key: must be at most 128 bytes'],
    [[item(), item()], "config[1].key: duplicate config key 'k'"],
    [[item({ type: 'list' })], "config[0].type: expected one of 'integer', 'string', 'float', 'enum', 'boolean'"],
    [[item({ description: undefined })], 'config[0].description: missing field'],
    [[item({ description: '  ' })], 'config[0].description: must not be empty'],
    [[item({ secret: true })], "config[0]: unknown field 'secret'"],
    [[item({ required: 'yes' })], 'config[0].required: must be a boolean'],
    [[item({ format: 'email' })], "config[0].format: expected one of 'text', 'password', 'uri', 'path', 'file', 'directory', 'multiline'"],
    [[item({ order: 1.5 })], 'config[0].order: must be an integer'],
    [[item({ deprecated: true })], 'config[0].deprecation_message: is required when deprecated is true'],
    [[item({ constraints: { minimum: 1 } })], "config[0].constraints.minimum: not supported for type 'string' (allowed: min_length, max_length)"],
    [[item({ type: 'boolean', constraints: { maximum: 1 } })], "config[0].constraints.maximum: constraints are not supported for type 'boolean'"],
    [[item({ type: 'integer', constraints: { minimum: 5, maximum: 1 } })], 'config[0].constraints: minimum must not exceed maximum'],
    [[item({ type: 'integer', constraints: { maximum: 9007199254740992 } })], 'config[0].constraints.maximum: must be an integer within -9007199254740991..9007199254740991'],
    [[item({ constraints: { max_length: 1048577 } })], 'config[0].constraints.max_length: must be at most 1048576'],
    [[item({ type: 'enum' })], 'config[0].options: an enum item must declare at least one option'],
    [[item({ type: 'enum', options: [{ value: 'a' }, { value: 'a' }] })], "config[0].options[1].value: duplicate option 'a'"],
    [[item({ options: [{ value: 'a' }] })], "config[0].options: only enum items declare options (type is 'string')"],
    [[item({ type: 'integer', default: 1.5 })], "config[0].default: CONFIG_VALUE_TYPE_INVALID: config key 'k' expects type integer, got a float"],
    [[item({ type: 'integer', default: 11, constraints: { maximum: 10 } })], "config[0].default: CONFIG_VALUE_OUT_OF_RANGE: config key 'k' must be <= 10"],
    [[item({ type: 'enum', options: [{ value: 'a' }], example: 'b' })], "config[0].example: CONFIG_ENUM_VALUE_INVALID: config key 'k' must be one of 'a'"],
    [[item({ type: 'boolean', default: 'yes' })], "config[0].default: CONFIG_VALUE_TYPE_INVALID: config key 'k' expects type boolean, got a string"],
  ];
  for (const [config, expected] of cases) assert.equal(await refusal(config), `CONFIG_DECLARATION_INVALID: skill.yaml: ${expected}`, expected);
  const many = Array.from({ length: 1025 }, (_, i) => item({ key: `k${i}` }));
  assert.equal(await refusal(many), 'CONFIG_DECLARATION_INVALID: skill.yaml: config: at most 1024 items are allowed, got 1025');
  assert.equal(parseConfigDeclarations(many.slice(0, 1024)).length, 1024);
});

test('declared skill: typed values through vulcan.config and engine.config, validated, with defaults', async () => {
  const { engine, file } = await engineWith(
    {
      typed: {
        set: ret('return vulcan.json.encode(vulcan.config.set(args.key, args.value))'),
        setint: ret('return vulcan.json.encode(vulcan.config.set("retry_count", 7))'),
        setfloat: ret('return vulcan.json.encode(vulcan.config.set("ratio", 0.25))'),
        setbool: ret('return vulcan.json.encode(vulcan.config.set("verbose", true))'),
        setbig: ret('return vulcan.config.set("big", 9007199254740992)'),
        setnan: ret('return vulcan.config.set("ratio", 0/0)'),
        get: ret('local v = vulcan.config.get(args.key) return (math.type(v) or type(v)) .. ":" .. tostring(v)'),
        has: ret('return tostring(vulcan.config.has(args.key))'),
        list: ret('return vulcan.json.encode(vulcan.config.list())'),
      },
      plain: {
        set: ret('return tostring(vulcan.config.set(args.key, args.value))'),
        setnum: ret('return vulcan.config.set("n", 5)'),
        get: ret('return tostring(vulcan.config.get(args.key))'),
      },
    },
    { typed: { config: DECLARED } },
  );
  const call = async (name, args) => (await engine.callSkill(name, args)).content;
  // Defaults before anything is stored; unset optional keys are nil.
  assert.equal(await call('typed-get', { key: 'retry_count' }), 'integer:3');
  assert.equal(await call('typed-get', { key: 'ratio' }), 'nil:nil');
  assert.deepEqual(await engine.config.get('typed', 'retry_count'), { found: true, skill_id: 'typed', key: 'retry_count', value: 3, state: 'default' });
  assert.deepEqual(await engine.config.get('typed', 'ratio'), { found: false, skill_id: 'typed', key: 'ratio' });
  assert.equal(await call('typed-has', { key: 'verbose' }), 'true');

  assert.equal(await call('typed-setint'), '{"retry_count":7}');
  assert.equal(await call('typed-setfloat'), '{"ratio":0.25}');
  assert.equal(await call('typed-setbool'), '{"verbose":true}');
  assert.equal(await call('typed-get', { key: 'ratio' }), 'float:0.25');
  assert.deepEqual(await engine.config.get('typed', 'retry_count'), { found: true, skill_id: 'typed', key: 'retry_count', value: 7, state: 'configured' });
  assert.deepEqual(await engine.config.get('typed', 'ratio'), { found: true, skill_id: 'typed', key: 'ratio', value: 0.25, state: 'configured' });
  assert.deepEqual(await engine.config.get('typed', 'verbose'), { found: true, skill_id: 'typed', key: 'verbose', value: true, state: 'configured' });

  // Host writes: typed values, numbers and booleans may come as their strings.
  const r = await engine.config.set('typed', 'ratio', '1');
  assert.deepEqual(r, { action: 'set', skill_id: 'typed', store_scope: 'system-skills', key: 'ratio', value: 1, revision: '4', changed: true, values: { ratio: 1 }, changed_keys: ['ratio'] });
  assert.equal((await engine.config.set('typed', 'ratio', 1)).changed, false);
  // A float that happens to be whole is still a Lua float.
  assert.equal(await call('typed-get', { key: 'ratio' }), 'float:1.0');

  // Refusals, each with upstream's code in the message and nothing of the value.
  const refuse = async (key, value, code, message) => {
    await assert.rejects(engine.config.set('typed', key, value), (err) => err.code === code && err.message === message, `${key}=${value}`);
  };
  await refuse('undeclared', 'x', 'config_key_undeclared', "CONFIG_KEY_UNDECLARED: skill 'typed' does not declare config key 'undeclared'");
  await refuse('retry_count', 11, 'config_value_out_of_range', "CONFIG_VALUE_OUT_OF_RANGE: config key 'retry_count' must be <= 10");
  await refuse('retry_count', -1, 'config_value_out_of_range', "CONFIG_VALUE_OUT_OF_RANGE: config key 'retry_count' must be >= 0");
  await refuse('retry_count', 2.5, 'config_value_type_invalid', "CONFIG_VALUE_TYPE_INVALID: config key 'retry_count' expects type integer, got a float");
  await refuse('retry_count', ' 3', 'config_value_type_invalid', "CONFIG_VALUE_TYPE_INVALID: config key 'retry_count' expects type integer, got a string");
  await refuse('big', 9007199254740992, 'config_value_out_of_range', "CONFIG_VALUE_OUT_OF_RANGE: config key 'big' must be within -9007199254740991..9007199254740991");
  await refuse('big', '-9007199254740992', 'config_value_out_of_range', "CONFIG_VALUE_OUT_OF_RANGE: config key 'big' must be within -9007199254740991..9007199254740991");
  await refuse('ratio', Infinity, 'config_value_type_invalid', "CONFIG_VALUE_TYPE_INVALID: config key 'ratio' expects a finite float");
  await refuse('verbose', 'yes', 'config_value_type_invalid', "CONFIG_VALUE_TYPE_INVALID: config key 'verbose' expects type boolean, got a string");
  await refuse('verbose', 1, 'config_value_type_invalid', "CONFIG_VALUE_TYPE_INVALID: config key 'verbose' expects type boolean, got an integer");
  await refuse('provider', 'OpenAI', 'config_enum_value_invalid', "CONFIG_ENUM_VALUE_INVALID: config key 'provider' must be one of 'openai', 'local'");
  await refuse('api.key', 'abc', 'config_value_out_of_range', "CONFIG_VALUE_OUT_OF_RANGE: config key 'api.key' must be at least 4 characters");
  await refuse('api.key', 'x'.repeat(65), 'config_value_too_long', "CONFIG_VALUE_TOO_LONG: config key 'api.key' must be at most 64 characters");
  await refuse('note', 'x'.repeat(1024 * 1024 + 1), 'config_value_too_long', "CONFIG_VALUE_TOO_LONG: config key 'note': a value must be at most 1048576 bytes");
  await engine.config.set('typed', 'big', -9007199254740991);
  await engine.config.set('typed', 'note', 'é'.repeat(1000));

  // The same through Lua.
  await assert.rejects(engine.callSkill('typed-set', { key: 'nope', value: 'x' }), /vulcan\.config\.set: CONFIG_KEY_UNDECLARED: skill 'typed' does not declare config key 'nope'/);
  await assert.rejects(engine.callSkill('typed-set', { key: 'provider', value: 'remote' }), /vulcan\.config\.set: CONFIG_ENUM_VALUE_INVALID/);
  await assert.rejects(engine.callSkill('typed-setbig'), /vulcan\.config\.set: CONFIG_VALUE_OUT_OF_RANGE/);
  await assert.rejects(engine.callSkill('typed-setnan'), /vulcan\.config\.set: CONFIG_VALUE_TYPE_INVALID: config key 'ratio' expects a finite float/);
  await assert.rejects(engine.callSkill('typed-get', { key: 'nope' }), /vulcan\.config\.get: CONFIG_KEY_UNDECLARED/);

  // Persisted as canonical strings: the file is still a 0.4.6 document.
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(doc.skills.typed, { big: '-9007199254740991', note: 'é'.repeat(1000), ratio: '1', retry_count: '7', verbose: 'true' });

  // A skill without config: keeps the 0.4.6 string contract unchanged.
  assert.equal(await call('plain-set', { key: 'Any Key', value: 'v' }), 'true');
  assert.equal(await call('plain-get', { key: 'Any Key' }), 'v');
  await assert.rejects(engine.callSkill('plain-setnum'), /vulcan\.config\.set: value must be a string, got number/);
  await assert.rejects(engine.config.set('plain', 'k', 5), (err) => err.code === 'invalid_value');
  assert.deepEqual(await engine.config.get('plain', 'Any Key'), { found: true, skill_id: 'plain', key: 'Any Key', value: 'v' });
  await engine.close();
});

test('declared skill: Lua get returns Lua integer, float, boolean and string', async () => {
  const { engine } = await engineWith(
    { t: { types: ret('local out = {} for _, k in ipairs({"retry_count", "ratio", "verbose", "provider", "note"}) do local v = vulcan.config.get(k) out[#out + 1] = k .. "=" .. (math.type(v) or type(v)) .. ":" .. tostring(v) end return table.concat(out, ",")') } },
    { t: { config: DECLARED } },
  );
  await engine.config.set('t', { ratio: 1, provider: 'local', note: '' });
  assert.equal((await engine.callSkill('t-types')).content, 'retry_count=integer:3,ratio=float:1.0,verbose=boolean:false,provider=string:local,note=string:');
  await engine.close();
});

test('batch set is all or nothing, from the host and from Lua', async () => {
  const { engine, file } = await engineWith(
    {
      b: {
        batch: ret('return vulcan.json.encode(vulcan.config.set({ retry_count = 5, provider = "openai" }))'),
        badbatch: ret('return vulcan.config.set({ retry_count = 6, provider = "nope" })'),
        extra: ret('return vulcan.config.set({ retry_count = 6 }, "x")'),
        empty: ret('return vulcan.config.set({})'),
      },
    },
    { b: { config: DECLARED } },
  );
  assert.equal((await engine.callSkill('b-batch')).content, '{"provider":"openai","retry_count":5}');
  await assert.rejects(engine.callSkill('b-badbatch'), /CONFIG_ENUM_VALUE_INVALID/);
  await assert.rejects(engine.callSkill('b-extra'), /vulcan\.config\.set: a table of values takes no second argument/);
  await assert.rejects(engine.callSkill('b-empty'), /CONFIG_BATCH_EMPTY/);
  await assert.rejects(engine.config.set('b', { retry_count: 9, 'api.key': 'abcd', oops: 1 }), (err) => err.code === 'config_key_undeclared');
  await assert.rejects(engine.config.set('b', {}), (err) => err.code === 'config_batch_empty');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).skills.b, { provider: 'openai', retry_count: '5' });
  const result = await engine.config.set('b', { retry_count: '6', provider: 'openai', verbose: 'true' });
  assert.deepEqual(result, { action: 'set', skill_id: 'b', store_scope: 'system-skills', revision: '2', changed: true, values: { retry_count: 6, provider: 'openai', verbose: true }, changed_keys: ['retry_count', 'verbose'] });
  await engine.close();
});

test('describe, validate and Lua status/describe; sensitive values never listed or logged', async () => {
  const secret = 'sk-TOPSECRET-123';
  const { engine, file, logs } = await engineWith(
    {
      s: {
        status: ret('return vulcan.json.encode(vulcan.config.status())'),
        describe: ret('local d = vulcan.config.describe() local out = {} for _, i in ipairs(d.items) do out[#out + 1] = i.key .. ":" .. i.state .. ":" .. tostring(i.value) .. ":" .. tostring(i.masked) end print(vulcan.json.encode(d)) return table.concat(out, ",")'),
        list: ret('local l = vulcan.config.list() print(vulcan.json.encode(l)) return vulcan.json.encode(l)'),
        leak: ret('return vulcan.config.set("api.key", "x")'),
      },
      plain: { run: ret('return "ok"') },
    },
    { s: { config: DECLARED } },
  );
  let v = await engine.config.validate('s');
  assert.deepEqual(v, { skill_id: 's', declared: true, complete: false, revision: '0', store_scope: 'system-skills', missing: ['provider', 'api.key'], invalid: [], business_issues: [], orphaned: [], orphaned_count: 0 });
  assert.equal((await engine.callSkill('s-status')).content, '{"business_issues":[],"complete":false,"declared":true,"invalid":[],"missing":["provider","api.key"],"orphaned":[],"orphaned_count":0,"revision":"0","skill_id":"s","store_scope":"system-skills"}');

  await engine.config.set('s', { provider: 'local', 'api.key': secret, note: 'hello' });
  // A stale stored value (edited file, changed declaration) shows as invalid; unknown keys as orphaned.
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.skills.s.retry_count = '99';
  doc.skills.s.old_key = 'left over';
  writeFileSync(file, JSON.stringify(doc, null, 2));
  v = await engine.config.validate('s');
  assert.equal(v.complete, false);
  assert.deepEqual(v.missing, []);
  assert.deepEqual(v.invalid, [{ key: 'retry_count', code: 'CONFIG_VALUE_OUT_OF_RANGE', message: "CONFIG_VALUE_OUT_OF_RANGE: config key 'retry_count' must be <= 10" }]);
  assert.deepEqual(v.orphaned, ['old_key']);
  await assert.rejects(engine.config.get('s', 'retry_count'), (err) => err.code === 'config_value_out_of_range');
  await engine.config.delete('s', 'retry_count');
  await engine.config.delete('s', 'old_key');
  assert.deepEqual(await engine.config.validate('s'), { skill_id: 's', declared: true, complete: true, revision: '3', store_scope: 'system-skills', missing: [], invalid: [], business_issues: [], orphaned: [], orphaned_count: 0 });

  const without = await engine.config.describe('s');
  assert.equal(without.complete, true);
  assert.equal(without.items.length, DECLARED.length);
  const byKey = Object.fromEntries(without.items.map((i) => [i.key, i]));
  assert.equal(byKey.retry_count.state, 'default');
  assert.equal(byKey.retry_count.default, 3);
  assert.deepEqual(byKey.retry_count.constraints, { minimum: 0, maximum: 10 });
  assert.equal(byKey.retry_count.group, 'network');
  assert.equal(byKey.ratio.state, 'unset');
  assert.equal(byKey.ratio.satisfied, true);
  assert.equal(byKey['api.key'].state, 'configured');
  assert.equal(byKey.provider.options.length, 2);
  assert.equal(byKey.note.restart_required, true);
  for (const item of without.items) assert.equal('value' in item, false);
  const withValues = await engine.config.describe('s', { includeValues: true });
  const valued = Object.fromEntries(withValues.items.map((i) => [i.key, i]));
  assert.equal(valued.provider.value, 'local');
  assert.equal(valued.retry_count.value, 3);
  assert.equal(valued.note.value, 'hello');
  assert.equal(valued['api.key'].masked, true);
  assert.equal('value' in valued['api.key'], false);
  assert.equal('value' in valued.ratio, false);
  assert.deepEqual(await engine.config.get('s', 'api.key'), { found: true, skill_id: 's', key: 'api.key', value: secret, state: 'configured' });

  // Lua describe/list and host list never carry the sensitive value.
  assert.equal(
    (await engine.callSkill('s-describe')).content,
    'retry_count:default:3:nil,ratio:unset:nil:nil,verbose:default:false:nil,provider:configured:local:nil,api.key:configured:nil:true,big:unset:nil:nil,note:configured:hello:nil',
  );
  assert.equal((await engine.callSkill('s-list')).content, '{"note":"hello","provider":"local","retry_count":3,"verbose":false}');
  const listed = await engine.config.list('s');
  assert.deepEqual(listed.find((e) => e.key === 'api.key'), { store_scope: 'system-skills', skill_id: 's', key: 'api.key', value: SENSITIVE_CONFIG_MASK, sensitive: true });
  await assert.rejects(engine.callSkill('s-leak'), (err) => !err.message.includes('"x"') && /CONFIG_VALUE_OUT_OF_RANGE/.test(err.message));
  assert.ok(logs.filter((r) => r.kind === 'print' || r.source === 'print' || JSON.stringify(r).includes('api.key')).length >= 2, 'the describe/list prints reached the log');
  const everything = JSON.stringify([without, withValues, listed, await engine.config.list(), await engine.config.validate('s'), logs]);
  assert.equal(everything.includes(secret), false);
  assert.ok(readFileSync(file, 'utf8').includes(secret)); // stored, just never shown

  // A loaded skill without config: describes as undeclared; an unknown skill is not found.
  assert.deepEqual(await engine.config.describe('plain'), {
    skill_id: 'plain', skill_version: '1.0.0', declared: false, complete: true, revision: '3', store_scope: 'system-skills', missing_count: 0, invalid_count: 0,
    business_issue_count: 0, orphaned_count: 0, items: [], orphaned: [], business_issues: [],
  });
  await assert.rejects(engine.config.describe('ghost'), (err) => err.code === 'config_package_not_found' && err.message === "CONFIG_PACKAGE_NOT_FOUND: skill 'ghost' is not loaded");
  await engine.close();
});

test('revision: compare-and-swap with expectedRevision, 0.4.6 files read as revision 0', async () => {
  const file = path.join(mkdtempSync(path.join(work, 'rev-')), 'skill_config.json');
  writeFileSync(file, JSON.stringify({ skills: { old: { k: 'v' } } })); // a 0.4.6 document
  const store = new SkillConfigStore(() => file);
  assert.equal(await store.revision(), '0');
  const first = await store.set('demo', 'a', '1', { expectedRevision: '0' });
  assert.equal(first.revision, '1');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { format_version: 1, revision: '1', skills: { old: { k: 'v' }, demo: { a: '1' } } });
  const before = readFileSync(file, 'utf8');
  const conflict = (err) => err.code === 'config_revision_conflict' && err.message === 'CONFIG_REVISION_CONFLICT: expected revision 0, the store is at revision 1';
  await assert.rejects(store.set('demo', 'a', '2', { expectedRevision: '0' }), conflict);
  await assert.rejects(store.set('demo', { a: '2', b: '3' }, { expectedRevision: '0' }), conflict);
  await assert.rejects(store.delete('demo', 'a', { expectedRevision: '0' }), conflict);
  assert.equal(readFileSync(file, 'utf8'), before);
  for (const bad of ['01', '-1', '1.0', 'x', '18446744073709551616']) {
    await assert.rejects(store.set('demo', 'a', '2', { expectedRevision: bad }), (err) => err.code === 'config_revision_invalid', bad);
  }
  // An unchanged write keeps the revision; a delete moves it.
  assert.deepEqual(await store.set('demo', { a: '1' }, { expectedRevision: '1' }), { action: 'set', skill_id: 'demo', store_scope: 'skills', revision: '1', changed: false, values: { a: '1' }, changed_keys: [] });
  assert.deepEqual(await store.delete('demo', 'a', { expectedRevision: '1' }), { action: 'delete', skill_id: 'demo', store_scope: 'skills', key: 'a', deleted: true, revision: '2' });
  writeFileSync(file, JSON.stringify({ format_version: 2, skills: {} }));
  await assert.rejects(store.revision(), (err) => err.code === 'config_corrupt' && /CONFIG_FORMAT_VERSION_UNSUPPORTED/.test(err.message));
  writeFileSync(file, JSON.stringify({ format_version: 1, revision: 5, skills: {} }));
  await assert.rejects(store.revision(), (err) => err.code === 'config_corrupt' && /CONFIG_REVISION_INVALID/.test(err.message));
});

test('cross-process writers serialize on the .lock file; stale and held locks', async () => {
  const file = path.join(mkdtempSync(path.join(work, 'lock-')), 'skill_config.json');
  const writer = (name) => `
    const { SkillConfigStore } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
    const store = new SkillConfigStore(() => ${JSON.stringify(file)}, { lockTimeoutMs: 30000 });
    for (let i = 0; i < 25; i++) await store.set(${JSON.stringify(name)}, 'k' + i, String(i));
  `;
  const run = (name) => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer(name)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(err))));
  });
  await Promise.all([run('one'), run('two'), run('three')]);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  for (const name of ['one', 'two', 'three']) assert.equal(Object.keys(doc.skills[name]).length, 25, name);
  assert.equal(doc.revision, '75'); // no read-modify-write was lost
  assert.equal(existsSync(`${file}.lock`), false);

  // A lock held by a live process (this one) times out; one left by a dead process is taken over.
  writeFileSync(`${file}.lock`, `${process.pid} ${hostname()}`);
  const store = new SkillConfigStore(() => file, { lockTimeoutMs: 150 });
  await assert.rejects(store.set('one', 'k0', 'x'), (err) => err.code === 'config_lock_timeout' && err.message.startsWith(`CONFIG_LOCK_TIMEOUT: ${file}.lock is held by another writer (${process.pid} `));
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => dead.once('exit', r));
  writeFileSync(`${file}.lock`, `${dead.pid} ${hostname()}`);
  assert.equal((await store.set('one', 'k0', 'x')).revision, '76');
  assert.equal(existsSync(`${file}.lock`), false);
});
