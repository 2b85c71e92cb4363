// config_validator (upstream 0.5.5): the skill.yaml field and its checks, and runConfigValidator —
// a skill's own Lua script over its declared config values, run in a fresh state with only the
// pure libraries, a deadline and a memory cap. Real skill folders in a temp dir, real Lua.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { CONFIG_VALIDATOR_LIMITS, LuaError, loadSkillPackage, loadSkillSet, runConfigValidator, SkillConfigError } from '../dist/index.js';

const work = mkdtempSync(path.join(tmpdir(), 'luaskills-validator-'));
after(() => rmSync(work, { recursive: true, force: true }));

const DECLARED = [
  { key: 'min_port', type: 'integer', description: 'Lowest port' },
  { key: 'max_port', type: 'integer', description: 'Highest port' },
  { key: 'ratio', type: 'float', description: 'Sampling ratio' },
  { key: 'api.key', type: 'string', description: 'API key', sensitive: true },
  { key: 'mode', type: 'enum', description: 'Mode', options: [{ value: 'fast' }, { value: 'safe' }] },
];

const RANGE_RULE = `
return function(values)
  local issues = {}
  if values.min_port and values.max_port and values.min_port > values.max_port then
    issues[#issues + 1] = { key = "max_port", code = "PORT_RANGE", message = "max_port must not be below min_port" }
  end
  if values.mode == "fast" and values["api.key"] == nil then
    issues[#issues + 1] = { code = "KEY_NEEDED", message = "fast mode needs api.key" }
  end
  return issues
end
`;

/** `<skillsDir>/<id>` declaring DECLARED, `config_validator: <validator>` over runtime/validate.lua, and one entry. */
function writeValidatedSkill(skillsDir, id, { validator = 'runtime/validate.lua', validatorSource, entry = ['run', 'return function() return "ok" end'] }) {
  const dir = path.join(skillsDir, id);
  mkdirSync(path.join(dir, 'runtime'), { recursive: true });
  writeFileSync(path.join(dir, 'runtime', `${entry[0]}.lua`), entry[1]);
  writeFileSync(path.join(dir, 'runtime', 'validate.lua'), validatorSource);
  writeFileSync(
    path.join(dir, 'skill.yaml'),
    [`name: ${id}`, 'version: 1.0.0', `config: ${JSON.stringify(DECLARED)}`, `config_validator: ${validator}`,
      'entries:', `  - name: ${entry[0]}`, `    lua_entry: runtime/${entry[0]}.lua`, `    lua_module: ${id}_${entry[0]}`].join('\n') + '\n',
  );
}

/**
 * A skill folder `<tmp>/<id>` with `config:` (JSON is YAML; `null` leaves it out), one entry and
 * `files` under the folder; `validator` is the raw `config_validator:` value.
 */
function skillDir({ id = 'demo', config = DECLARED, validator, files = {} } = {}) {
  const dir = path.join(mkdtempSync(path.join(work, 'skill-')), id);
  mkdirSync(path.join(dir, 'runtime'), { recursive: true });
  writeFileSync(path.join(dir, 'runtime', 'run.lua'), 'return function() return "ok" end');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const lines = ['name: demo', 'version: 1.0.0'];
  if (config !== null) lines.push(`config: ${JSON.stringify(config)}`);
  if (validator !== undefined) lines.push(`config_validator: ${JSON.stringify(validator)}`);
  lines.push('entries:', '  - name: run', '    lua_entry: runtime/run.lua', '    lua_module: demo_run');
  writeFileSync(path.join(dir, 'skill.yaml'), lines.join('\n') + '\n');
  return dir;
}
const load = (dir) => loadSkillPackage(dir, { root_name: 'ROOT', skills_root: path.dirname(dir) });

/** A loaded package whose runtime/validate.lua is `source`. */
async function packageWithValidator(source, config = DECLARED) {
  return load(skillDir({ config, validator: 'runtime/validate.lua', files: { 'runtime/validate.lua': source } }));
}
const run = (pkg, values, extra = {}) =>
  runConfigValidator({ skillId: pkg.skill_id, file: pkg.config_validator_path, values, declared: pkg.config, ...extra });

async function refusal(options, code = 'invalid_config_validator') {
  const dir = skillDir(options);
  await assert.rejects(load(dir), (err) => {
    assert.equal(err.name, 'SkillPackageError');
    assert.equal(err.code, code);
    return true;
  });
  return { dir, message: await load(dir).catch((err) => err.message) };
}

async function validatorFailure(source, values = {}, extra = {}) {
  const pkg = await packageWithValidator(source);
  try {
    await run(pkg, values, extra);
  } catch (err) {
    assert.ok(err instanceof SkillConfigError, `not a SkillConfigError: ${err}`);
    assert.equal(err.code, 'config_validator_failed');
    const prefix = `skill demo: config_validator ${pkg.config_validator_path} `;
    assert.ok(err.message.startsWith(prefix), err.message);
    return { message: err.message.slice(prefix.length), err };
  }
  assert.fail('the validator run succeeded');
}

test('manifest: config_validator is exposed as declared and as an absolute path; absent is null', async () => {
  const pkg = await packageWithValidator(RANGE_RULE);
  assert.equal(pkg.config_validator, 'runtime/validate.lua');
  assert.equal(pkg.config_validator_path, path.join(pkg.skill_dir, 'runtime', 'validate.lua'));
  const nested = await load(skillDir({ validator: '  runtime/config/check.lua ', files: { 'runtime/config/check.lua': RANGE_RULE } }));
  assert.equal(nested.config_validator, 'runtime/config/check.lua');
  assert.equal(nested.config_validator_path, path.join(nested.skill_dir, 'runtime', 'config', 'check.lua'));
  const plain = await load(skillDir());
  assert.equal(plain.config_validator, null);
  assert.equal(plain.config_validator_path, null);
});

test('manifest: a bad config_validator refuses the package with a message naming the field', async () => {
  const file = { 'runtime/validate.lua': RANGE_RULE };
  assert.equal((await refusal({ config: null, validator: 'runtime/validate.lua', files: file })).message,
    'skill demo: config_validator requires a config: list declaring at least one item');
  assert.equal((await refusal({ config: [], validator: 'runtime/validate.lua', files: file })).message,
    'skill demo: config_validator requires a config: list declaring at least one item');
  assert.equal((await refusal({ validator: 'scripts/validate.lua', files: { 'scripts/validate.lua': RANGE_RULE } })).message,
    'skill demo: config_validator must start with runtime/');
  assert.equal((await refusal({ validator: 'validate.lua', files: { 'validate.lua': RANGE_RULE } })).message,
    'skill demo: config_validator must start with runtime/');
  const outside = path.join(work, 'outside.lua');
  writeFileSync(outside, RANGE_RULE);
  assert.equal((await refusal({ validator: outside })).message, 'skill demo: config_validator must be a relative path under runtime');
  assert.equal((await refusal({ validator: 'C:\\skills\\validate.lua' })).message, 'skill demo: config_validator must be a relative path under runtime');
  assert.equal((await refusal({ validator: 'runtime/../runtime/validate.lua', files: file })).message, 'skill demo: config_validator must not contain parent');
  assert.equal((await refusal({ validator: 'runtime\\..\\..\\outside.lua' })).message, 'skill demo: config_validator must not contain parent');
  assert.equal((await refusal({ validator: 'runtime/./validate.lua', files: file })).message, 'skill demo: config_validator must not contain parent');
  assert.equal((await refusal({ validator: '  ' })).message, 'skill demo: config_validator must not be empty');
  assert.equal((await refusal({ validator: 'runtime/validate.txt', files: { 'runtime/validate.txt': RANGE_RULE } })).message,
    'skill demo: config_validator must name a .lua file');
  const missing = await refusal({ validator: 'runtime/nope.lua' });
  assert.equal(missing.message, `skill demo: config_validator runtime/nope.lua not found in ${missing.dir}`);
  const folder = await refusal({ validator: 'runtime/dir.lua', files: { 'runtime/dir.lua/x': '' } });
  assert.equal(folder.message, `skill demo: config_validator runtime/dir.lua not found in ${folder.dir}`);
  assert.equal((await refusal({ validator: 5 }, 'manifest_schema')).message, 'skill.yaml: config_validator: Expected string');
  assert.equal((await refusal({ validator: ['runtime/validate.lua'] }, 'manifest_schema')).message, 'skill.yaml: config_validator: Expected string');
});

test('manifest: a bad config_validator fails that skill alone', async () => {
  const skillsDir = path.join(mkdtempSync(path.join(work, 'root-')), 'skills');
  const write = (id, validator) => writeValidatedSkill(skillsDir, id, { validator, validatorSource: RANGE_RULE });
  write('good', 'runtime/validate.lua');
  write('bad', 'runtime/../validate.lua');
  const set = await loadSkillSet([{ name: 'ROOT', skills_dir: skillsDir }]);
  assert.deepEqual(set.packages.map((p) => [p.skill_id, p.config_validator]), [['good', 'runtime/validate.lua']]);
  assert.equal(set.report.failed.length, 1);
  assert.equal(set.report.failed[0].skill_id, 'bad');
  assert.equal(set.report.failed[0].code, 'invalid_config_validator');
  assert.equal(set.report.failed[0].message, 'skill bad: config_validator must not contain parent');
});

test('runConfigValidator returns the issues, in order; passing values give an empty list', async () => {
  const pkg = await packageWithValidator(RANGE_RULE);
  assert.deepEqual(await run(pkg, { min_port: 9000, max_port: 8000, mode: 'fast' }), [
    { key: 'max_port', code: 'PORT_RANGE', message: 'max_port must not be below min_port' },
    { code: 'KEY_NEEDED', message: 'fast mode needs api.key' },
  ]);
  assert.deepEqual(await run(pkg, { min_port: 8000, max_port: 9000, mode: 'fast', 'api.key': 'sk-1' }), []);
  assert.deepEqual(await run(pkg, {}), []);
  // Without `declared` the keys are not checked against a declaration.
  assert.deepEqual(await runConfigValidator({ skillId: 'demo', file: pkg.config_validator_path, values: { min_port: 2, max_port: 1 } }), [
    { key: 'max_port', code: 'PORT_RANGE', message: 'max_port must not be below min_port' },
  ]);
});

test('the validator sees typed values: integers, floats (even whole), booleans, strings; absent keys are nil', async () => {
  const pkg = await packageWithValidator(
    `return function(values)
       local out = {}
       for _, key in ipairs({ "min_port", "ratio", "api.key", "mode", "max_port" }) do
         local v = values[key]
         out[#out + 1] = { key = key, code = type(v), message = (math.type(v) or tostring(v)) }
       end
       return out
     end`,
  );
  assert.deepEqual(await run(pkg, { min_port: 80, ratio: 1, 'api.key': 'sk-1', mode: 'safe' }), [
    { key: 'min_port', code: 'number', message: 'integer' },
    { key: 'ratio', code: 'number', message: 'float' },
    { key: 'api.key', code: 'string', message: 'sk-1' },
    { key: 'mode', code: 'string', message: 'safe' },
    { key: 'max_port', code: 'nil', message: 'nil' },
  ]);
  const flags = await packageWithValidator(
    'return function(values) return { { code = type(values.on), message = tostring(values.on) } } end',
    [{ key: 'on', type: 'boolean', description: 'A flag' }],
  );
  assert.deepEqual(await run(flags, { on: false }), [{ code: 'boolean', message: 'false' }]);
});

test('the sandbox: no io, os, require, package, debug, vulcan, file loading, output or finalizers; pure libraries work', async () => {
  const pkg = await packageWithValidator(`
    local names = { "io", "os", "require", "package", "debug", "vulcan", "dofile", "loadfile", "print", "warn", "coroutine", "jit" }
    return function(values)
      local out = {}
      for _, name in ipairs(names) do out[#out + 1] = { code = name, message = type(_G[name]) } end
      local _, binary = load(string.dump(function() end))
      out[#out + 1] = { code = "binary_load", message = binary }
      local ok, gc = pcall(setmetatable, {}, { __gc = function() end })
      out[#out + 1] = { code = "gc", message = tostring(ok) .. ": " .. gc }
      out[#out + 1] = { code = "pure", message = string.format("%s %d %s %d", table.concat({ "a", "b" }, ","), math.max(1, 7), string.upper("x"), utf8.len("héllo")) }
      return out
    end`);
  const issues = await run(pkg, {});
  assert.deepEqual(issues.slice(0, 12).map((i) => `${i.code}=${i.message}`), [
    'io=nil', 'os=nil', 'require=nil', 'package=nil', 'debug=nil', 'vulcan=nil', 'dofile=nil', 'loadfile=nil', 'print=nil', 'warn=nil', 'coroutine=nil', 'jit=nil',
  ]);
  assert.deepEqual(issues.slice(12), [
    { code: 'binary_load', message: "attempt to load a binary chunk (mode is 't')" },
    { code: 'gc', message: 'false: setmetatable: __gc metamethods are not available in this state' },
    { code: 'pure', message: 'a,b 7 X 5' },
  ]);
});

test('every run gets a fresh state: globals set by one run are gone in the next', async () => {
  const pkg = await packageWithValidator(`
    counter = (counter or 0) + 1
    return function(values) return { { code = "RUN", message = tostring(counter) } } end`);
  assert.deepEqual(await run(pkg, {}), [{ code: 'RUN', message: '1' }]);
  assert.deepEqual(await run(pkg, {}), [{ code: 'RUN', message: '1' }]);
});

test('an endless loop is stopped at the deadline while the event loop keeps running', async () => {
  const pkg = await packageWithValidator('return function(values) while true do end end');
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  try {
    await assert.rejects(run(pkg, { min_port: 1 }, { timeoutMs: 300 }), (err) => {
      assert.ok(err instanceof SkillConfigError);
      assert.equal(err.code, 'config_validator_timeout');
      assert.equal(err.message, `skill demo: config_validator ${pkg.config_validator_path} did not finish within 300 ms`);
      assert.ok(err.cause instanceof LuaError && err.cause.code === 'timeout');
      return true;
    });
  } finally {
    clearInterval(interval);
  }
  assert.ok(ticks > 0, 'the event loop was blocked');
  // pcall cannot swallow the deadline, and the chunk's top level is bounded too.
  await assert.rejects(run(await packageWithValidator('return function() while true do pcall(function() while true do end end) end end'), {}, { timeoutMs: 50 }),
    { code: 'config_validator_timeout' });
  await assert.rejects(run(await packageWithValidator('while true do end'), {}, { timeoutMs: 50 }), { code: 'config_validator_timeout' });
});

test('a run stuck inside one library call is given up after the grace period', async () => {
  // Lua checks deadlines between instructions only; this pattern keeps string.find busy for
  // seconds. The caller is answered anyway, and the state is released once the call returns.
  const pkg = await packageWithValidator(`return function(values)
    local s = string.rep("a", 250)
    return { { code = "FOUND", message = tostring(string.find(s, ".-.-.-b")) } }
  end`);
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  try {
    await assert.rejects(run(pkg, {}, { timeoutMs: 20 }), (err) => {
      assert.equal(err.code, 'config_validator_timeout');
      assert.equal(err.message, `skill demo: config_validator ${pkg.config_validator_path} did not finish within 20 ms (stuck inside one library call)`);
      return true;
    });
  } finally {
    clearInterval(interval);
  }
  assert.ok(ticks > 0, 'the event loop was blocked');
});

test('a memory bomb hits the memory cap and fails with a coded error', async () => {
  const bomb = 'return function(values) local s = "x" while true do s = s .. s end end';
  const { message, err } = await validatorFailure(bomb, {}, { memoryLimitBytes: 1 << 20 });
  assert.equal(message, 'ran out of memory (limit 1048576 bytes)');
  assert.equal(err.cause.code, 'memory_limit');
  const table = 'return function(values) local t = {} for i = 1, 1e9 do t[i] = string.rep("y", 64) .. i end end';
  assert.equal((await validatorFailure(table)).message, `ran out of memory (limit ${CONFIG_VALIDATOR_LIMITS.defaultMemoryLimitBytes} bytes)`);
});

test('scripts that do not compile, return no function or raise errors fail; messages keep values out', async () => {
  assert.equal((await validatorFailure('return function(values')).message, "does not compile: validate.lua:1: ')' expected near <eof>");
  assert.equal((await validatorFailure('return function(values)\n  if values then\nend')).message, "does not compile: validate.lua:3: 'end' expected (to close 'function' at line 1) near <eof>");
  assert.equal((await validatorFailure('return 42')).message, 'must return a function(values), got number');
  assert.equal((await validatorFailure('local x = 1')).message, 'must return a function(values), got nil');
  assert.equal((await validatorFailure('error("top level")')).message, 'raised a Lua error at validate.lua:1');
  const secret = 'sk-very-secret-value';
  const raised = await validatorFailure('return function(values)\n  error("bad key " .. values["api.key"])\nend', { 'api.key': secret });
  assert.equal(raised.message, 'raised a Lua error at validate.lua:2');
  assert.ok(!raised.err.message.includes(secret));
  // The script's own text is on the cause, for the host to log if it chooses.
  assert.ok(raised.err.cause instanceof LuaError);
  assert.match(raised.err.cause.message, /bad key sk-very-secret-value/);
  const typed = await validatorFailure('return function(values)\n\n  return values.min_port + {}\nend', { min_port: 1 });
  assert.equal(typed.message, 'raised a Lua error at validate.lua:3');
});

test('return values other than a list of well-formed issues fail with what is wrong, never a value', async () => {
  const returning = (expr) => `return function(values) return ${expr} end`;
  const cases = [
    ['nil', 'must return a list of issues (return {} when there are none), got nil'],
    ['"fine"', 'must return a list of issues (return {} when there are none), got string'],
    ['{ ok = true }', 'must return a list of issues, got a table with a string key'],
    ['{ [0] = { code = "A", message = "m" } }', 'must return a list of issues, got a table with a number key'],
    ['{ [1.5] = { code = "A", message = "m" } }', 'must return a list of issues, got a table with a number key'],
    ['{ [1] = { code = "A", message = "m" }, [3] = { code = "B", message = "m" } }', 'must return a list of issues, got a table with holes'],
    ['{ "PORT_RANGE" }', 'issue 1 must be a table {key?, code, message}, got string'],
    ['{ { code = "A", message = "m" }, { code = 7, message = "m" } }', 'issue 2: code must be a string, got number'],
    ['{ { code = "", message = "m" } }', 'issue 1: code must not be empty'],
    ['{ { code = "A" } }', 'issue 1: message must be a string, got nil'],
    ['{ { code = "A", message = values["api.key"] .. "\\255" } }', 'issue 1: message must be valid UTF-8'],
    ['{ { code = "A", message = "m", key = 5 } }', 'issue 1: key must be a string, got number'],
    ['{ { code = "A", message = "m", key = "nope" } }', 'issue 1: key is not a declared config key'],
    ['{ { code = "A", message = "m", hint = values["api.key"] } }', 'issue 1 has a field other than key, code and message (a string key)'],
    ['{ { code = "A", message = "m", [values["api.key"]] = true } }', 'issue 1 has a field other than key, code and message (a string key)'],
    ['{ { code = "A", message = function() end } }', 'issue 1: message must be a string, got function'],
    [`{ { code = "A", message = string.rep("m", ${CONFIG_VALIDATOR_LIMITS.maxMessageChars + 1}) } }`, 'issue 1: message must be at most 4096 characters, got 4097'],
    [`{ { code = string.rep("C", ${CONFIG_VALIDATOR_LIMITS.maxCodeChars + 1}), message = "m" } }`, 'issue 1: code must be at most 128 characters, got 129'],
  ];
  for (const [expr, expected] of cases) {
    const { message } = await validatorFailure(returning(expr), { 'api.key': 'sk-secret' });
    assert.equal(message, expected, expr);
    assert.ok(!message.includes('sk-secret'));
  }
  const many = `return function() local t = {} for i = 1, ${CONFIG_VALIDATOR_LIMITS.maxIssues + 1} do t[i] = { code = "A", message = "m" } end return t end`;
  assert.equal((await validatorFailure(many)).message, 'returned more than 256 issues');
  // The limits themselves are fine: 256 issues, 4096-character messages counted as characters.
  const full = await run(await packageWithValidator(`return function()
    local t = {} for i = 1, 256 do t[i] = { code = "A", message = string.rep("é", 4096) } end return t end`), {});
  assert.equal(full.length, 256);
  assert.equal(full[255].message, 'é'.repeat(4096));
  // Metatables on the returned tables are ignored: only raw fields count.
  const tricky = await run(await packageWithValidator(`return function()
    return setmetatable({ { code = "A", message = "m" } }, { __len = function() return 99 end, __index = function() return { code = "X", message = "x" } end })
  end`), {});
  assert.deepEqual(tricky, [{ code: 'A', message: 'm' }]);
});

test('a file that cannot be read fails; a malformed request is a TypeError', async () => {
  const pkg = await packageWithValidator(RANGE_RULE);
  const gone = path.join(pkg.skill_dir, 'runtime', 'gone.lua');
  await assert.rejects(runConfigValidator({ skillId: 'demo', file: gone, values: {} }), (err) => {
    assert.equal(err.code, 'config_validator_failed');
    assert.equal(err.message, `skill demo: config_validator ${gone} cannot be read: ENOENT`);
    return true;
  });
  const big = path.join(pkg.skill_dir, 'runtime', 'big.lua');
  writeFileSync(big, `return function() return {} end --${'x'.repeat(CONFIG_VALIDATOR_LIMITS.maxSourceBytes)}`);
  await assert.rejects(runConfigValidator({ skillId: 'demo', file: big, values: {} }), {
    code: 'config_validator_failed',
    message: `skill demo: config_validator ${big} is larger than 1048576 bytes`,
  });
  await assert.rejects(runConfigValidator({ skillId: 'demo', file: 'runtime/validate.lua', values: {} }), {
    name: 'TypeError',
    message: 'Invalid runConfigValidator request.file: expected an absolute path',
  });
  await assert.rejects(run(pkg, { unknown: 1 }), { name: 'TypeError', message: "Invalid runConfigValidator request.values: 'unknown' is not a declared key" });
  await assert.rejects(run(pkg, { min_port: null }), (err) => err instanceof TypeError && err.message.startsWith('Invalid runConfigValidator request.values.min_port'));
  await assert.rejects(run(pkg, {}, { timeoutMs: 0 }), (err) => err instanceof TypeError && err.message.startsWith('Invalid runConfigValidator request.timeoutMs'));
  await assert.rejects(run(pkg, {}, { memoryLimitBytes: 1024 }), (err) => err instanceof TypeError && err.message.startsWith('Invalid runConfigValidator request.memoryLimitBytes'));
  await assert.rejects(run(pkg, {}, { extra: true }), (err) => err instanceof TypeError && /extra/.test(err.message));
});

test('the engine: validate / describe / Lua status carry business_issues; a looping validator is one timeout issue', async () => {
  const { LuaSkillsEngine } = await import('../dist/index.js');
  const base = mkdtempSync(path.join(work, 'engine-'));
  const skills = path.join(base, 'skills');
  const status = 'return function() local s = vulcan.config.status() return vulcan.json.encode({ complete = s.complete, issues = s.business_issues }) end';
  const write = (id, validatorSource) => writeValidatedSkill(skills, id, { validatorSource, entry: ['status', status] });
  write('ranged', RANGE_RULE);
  write('looping', 'return function() while true do end end');
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, skillConfigRoot: path.join(base, 'cfg') });
  try {
    assert.deepEqual((await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skills }])).failed, []);
    await engine.config.set('ranged', { min_port: 9000, max_port: 8000, mode: 'fast' });
    const v = await engine.config.validate('ranged');
    assert.equal(v.complete, false);
    assert.deepEqual(v.missing, []);
    assert.deepEqual(v.business_issues, [
      { key: 'max_port', code: 'PORT_RANGE', message: 'max_port must not be below min_port' },
      { code: 'KEY_NEEDED', message: 'fast mode needs api.key' },
    ]);
    assert.equal((await engine.config.describe('ranged')).business_issue_count, 2);
    assert.equal((await engine.callSkill('ranged-status')).content, '{"complete":false,"issues":[{"code":"PORT_RANGE","key":"max_port","message":"max_port must not be below min_port"},{"code":"KEY_NEEDED","message":"fast mode needs api.key"}]}');
    // Fixed values: the validator sees the sensitive key too (it stays in the sandbox), and passes.
    await engine.config.set('ranged', { max_port: 9100, 'api.key': 'sk-very-secret' });
    const fixed = await engine.config.validate('ranged');
    assert.deepEqual([fixed.complete, fixed.business_issues], [true, []]);
    assert.equal(JSON.stringify(await engine.config.describe('ranged', { includeValues: true })).includes('sk-very-secret'), false);

    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const looping = await engine.config.validate('looping');
    clearInterval(timer);
    assert.ok(ticks > 0, 'the event loop kept running while the validator looped');
    assert.equal(looping.complete, false);
    assert.deepEqual(looping.business_issues.map((i) => i.code), ['config_validator_timeout']);
    assert.match(looping.business_issues[0].message, /^skill looping: config_validator .*validate\.lua did not finish within 1000 ms/);
  } finally {
    await engine.close();
  }
});
