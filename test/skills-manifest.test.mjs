// One package at a time: every skill.yaml rule, with upstream's exact message, and the resolved
// package object (absolute paths, defaults, input schemas, legacy parameters).
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { identifierError, isValidIdentifier, loadSkillPackage, versionError } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const invalid = path.join(here, 'fixtures/skills/invalid/skills');
const rootSkills = path.join(here, 'fixtures/skills/layers/root/skills');
const at = { root_name: 'ROOT', skills_root: invalid };
const PATTERN = '^[a-z]([a-z0-9-]*[a-z0-9])?$';

async function refusal(dir) {
  try {
    await loadSkillPackage(path.join(invalid, dir), at);
  } catch (error) {
    assert.equal(error.name, 'SkillPackageError');
    return { code: error.code, message: error.message };
  }
  assert.fail(`${dir} loaded`);
}

test('identifier rule: upstream examples, trimmed, consecutive hyphens allowed', () => {
  for (const ok of ['vulcan-codekit', 'codekit2', 'a', 'a--b', ' trimmed ']) assert.equal(isValidIdentifier(ok), true, ok);
  for (const bad of ['', '2codekit', 'Vulcan-codekit', 'vulcan_codekit', 'vulcan-codekit-', '__demo']) assert.equal(isValidIdentifier(bad), false, bad);
  assert.equal(identifierError('Bad', 'entry.name'), `entry.name must match ${PATTERN}`);
  assert.equal(identifierError('good', 'entry.name'), undefined);
});

test('version rule: strict SemVer, no leading v, build metadata kept', () => {
  for (const ok of ['0.1.0', '1.2.3-beta.1', '1.2.3+build.7', ' 2.0.0 ']) assert.equal(versionError(ok, 'version'), undefined, ok);
  assert.equal(versionError('  ', 'version'), 'version must not be empty');
  for (const bad of ['v1.0.0', '1', '1.2', '01.2.3', '=1.2.3']) {
    assert.equal(versionError(bad, 'version'), `version must be a valid semantic version: '${bad}' is not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`);
  }
});

test('a valid package resolves to absolute paths, defaults and input schemas', async () => {
  const dir = path.join(rootSkills, 'alpha');
  const pkg = await loadSkillPackage(dir, { root_name: 'ROOT', skills_root: rootSkills });
  const off = { enable: false, log_level: 'info', slow_log_enabled: false };
  assert.deepEqual(pkg, {
    skill_id: 'alpha',
    name: 'Alpha Notes',
    version: '0.1.0',
    root_name: 'ROOT',
    skills_root: rootSkills,
    skill_dir: dir,
    manifest_path: path.join(dir, 'skill.yaml'),
    debug: false,
    sqlite: { ...off, slow_log_threshold_ms: 500 },
    lancedb: { ...off, slow_log_threshold_ms: 800 },
    entries: [
      {
        name: 'add',
        description: 'Append one note.',
        lua_entry: 'runtime/add.lua',
        lua_entry_path: path.join(dir, 'runtime/add.lua'),
        lua_module: 'alpha_add',
        parameters: [
          { name: 'text', param_type: 'string', description: 'Note text.', required: true },
          { name: 'tag', param_type: 'string', description: '', required: false },
        ],
        input_schema: {
          type: 'object',
          properties: { text: { type: 'string', description: 'Note text.' }, tag: { type: 'string' } },
          required: ['text'],
        },
        input_schema_file: null,
        input_schema_path: null,
        help: '',
      },
      {
        name: 'search',
        description: 'Search notes.',
        lua_entry: 'runtime/search.lua',
        lua_entry_path: path.join(dir, 'runtime/search.lua'),
        lua_module: 'alpha_search',
        // Derived from the schema's root properties, sorted by name like upstream's sorted maps.
        parameters: [
          { name: 'filters', param_type: 'object', description: '', required: false },
          { name: 'limit', param_type: 'integer | null', description: '', required: false },
          { name: 'mode', param_type: 'union', description: '', required: false },
          { name: 'query', param_type: 'string', description: 'Text to find.', required: true },
        ],
        input_schema: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'Text to find.' },
            limit: { type: ['integer', 'null'] },
            filters: { properties: { tag: { type: 'string' } } },
            mode: { anyOf: [{ const: 'exact' }, { const: 'fuzzy' }] },
          },
          required: ['query'],
        },
        input_schema_file: 'schemas/search.input.schema.json',
        input_schema_path: path.join(dir, 'schemas/search.input.schema.json'),
        help: 'search-flow',
      },
    ],
    help: {
      main: { name: '', description: 'Overview of alpha.', file: 'help/main.md', path: path.join(dir, 'help/main.md') },
      topics: [{ name: 'search-flow', description: 'How to search.', file: 'help/search.lua', path: path.join(dir, 'help/search.lua') }],
    },
    config: [], // no `config:` declared (see skill-config-declared.test.mjs)
    config_validator: null, // see config-validator.test.mjs
    config_validator_path: null,
  });
});

const cases = [
  ['has-skill-id', 'skill_id_declared', `skill ${path.join(invalid, 'has-skill-id')} must not declare skill_id in skill.yaml; directory name is the only skill_id`],
  ['unknown-field', 'manifest_schema', "skill.yaml: unknown field 'entries[0].lua_modul'"],
  ['missing-version', 'manifest_schema', "skill.yaml: missing field 'version'"],
  ['bad-log-level', 'manifest_schema', "skill.yaml: sqlite.log_level: expected one of 'off', 'info', 'warning'"],
  ['bad-semver', 'invalid_version', "skill bad-semver: version must be a valid semantic version: 'v1.0.0' is not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]"],
  ['short-semver', 'invalid_version', "skill short-semver: version must be a valid semantic version: '1' is not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]"],
  ['no-entries', 'no_entries', 'skill No entries must declare at least one entry'],
  ['dup-entries', 'duplicate_entry', "skill 'dup-entries' declares duplicate local entry name 'run'"],
  ['bad-entry-name', 'invalid_identifier', `skill Bad entry entry Run_Now: entry.name must match ${PATTERN}`],
  ['missing-module', 'entry_incomplete', 'skill Missing module declares entry run but lua_entry/lua_module is missing'],
  ['entry-outside-runtime', 'invalid_path', 'skill Outside entry run: entry.lua_entry must start with runtime/'],
  ['entry-parent', 'invalid_path', 'skill Parent entry run: entry.lua_entry must not contain parent'],
  ['entry-absolute', 'invalid_path', 'skill Absolute entry run: entry.lua_entry must be a relative path under runtime'],
  ['missing-entry-file', 'entry_file_missing', `Lua entry runtime/run.lua not found in ${path.join(invalid, 'missing-entry-file')}`],
  ['schema-outside', 'invalid_path', 'skill Schema outside entry run: entry.input_schema_file must start with schemas/'],
  ['both-schemas', 'input_schema_conflict', 'skill entry run must not declare both input_schema and input_schema_file'],
  ['bad-schema', 'invalid_input_schema', 'skill entry run input_schema.properties.count.type must be one string or one string array'],
  ['schema-not-object', 'invalid_input_schema', 'skill entry run input_schema.type must be "object"'],
  ['help-outside', 'invalid_path', 'skill Help outside help main: help.main.file must start with help/'],
  ['help-topic-no-file', 'invalid_path', 'skill Topic no file help topic flow: help.topic.file must not be empty'],
  ['no-manifest', 'manifest_missing', `skill.yaml not found in ${path.join(invalid, 'no-manifest')}`],
];

for (const [dir, code, message] of cases) {
  test(`refused: ${dir}`, async () => {
    assert.deepEqual(await refusal(dir), { code, message });
  });
}

test('refused with a parser message: bad YAML, bad schema JSON, missing schema file', async () => {
  const yaml = await refusal('bad-yaml');
  assert.equal(yaml.code, 'manifest_parse');
  assert.ok(yaml.message.startsWith(`Failed to parse ${path.join(invalid, 'bad-yaml', 'skill.yaml')}: `), yaml.message);
  const json = await refusal('schema-bad-json');
  assert.equal(json.code, 'input_schema_file');
  assert.ok(json.message.startsWith(`skill entry run input_schema_file ${path.join(invalid, 'schema-bad-json/schemas/run.json')} parse failed: `), json.message);
  const missing = await refusal('schema-missing-file');
  assert.equal(missing.code, 'input_schema_file');
  assert.ok(missing.message.startsWith(`skill entry run input_schema_file ${path.join(invalid, 'schema-missing-file/schemas/none.json')} read failed: `));
});

test('a directory whose name is not an identifier is refused when loaded directly', async () => {
  assert.deepEqual(await refusal('Bad_Dir'), {
    code: 'invalid_identifier',
    message: `skill ${path.join(invalid, 'Bad_Dir')}: skill directory name must match ${PATTERN}`,
  });
});
