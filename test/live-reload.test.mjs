// Live reload (engine option `watch`): skill folders copied in, edited and removed show up
// without a restart; a folder caught half-written loads once it is complete; calls in flight
// finish on the skills they started with.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'luaskills-watch-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pkg(dir, id, text, description = 'hi') {
  mkdirSync(path.join(dir, id, 'runtime'), { recursive: true });
  writeFileSync(path.join(dir, id, 'runtime', 'hello.lua'), `return function() return ${JSON.stringify(text)} end`);
  writeFileSync(path.join(dir, id, 'skill.yaml'), `name: ${id}\nversion: 1.0.0\nentries:\n  - name: hello\n    description: ${description}\n    lua_entry: runtime/hello.lua\n    lua_module: ${id}_hello\n`);
}

// The next registry delta (or failure) after `action`.
async function deltaAfter(engine, action) {
  let timer;
  const next = Promise.race([
    once(engine, 'registry-delta').then(([d]) => d),
    once(engine, 'reload-error').then(([e]) => { throw e; }),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no registry delta within 10 s')), 10_000); }),
  ]);
  try {
    await action();
    return await next;
  } finally {
    clearTimeout(timer);
  }
}

test('skills copied in, edited, removed and half-written are picked up without a restart', async () => {
  const skills = path.join(root, 'skills');
  const staging = path.join(root, 'staging');
  mkdirSync(skills);
  mkdirSync(staging);
  pkg(skills, 'first', 'one');
  const engine = new LuaSkillsEngine({ watch: true, watchDebounceMs: 50, pool: { minSize: 0, maxSize: 2 } });
  try {
    await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skills }]);
    // A call in flight keeps its skills while the folder changes under it.
    pkg(staging, 'slowpoke', 'x');
    writeFileSync(path.join(staging, 'slowpoke', 'runtime', 'hello.lua'), 'return function() local t = os.clock() while os.clock() - t < 0.5 do end return "old" end');
    await deltaAfter(engine, () => cpSync(path.join(staging, 'slowpoke'), path.join(skills, 'slowpoke'), { recursive: true }));
    const inflight = engine.callSkill('slowpoke-hello');

    const added = await deltaAfter(engine, () => {
      pkg(staging, 'second', 'two');
      cpSync(path.join(staging, 'second'), path.join(skills, 'second'), { recursive: true });
    });
    assert.deepEqual(added.added_entries.map((e) => e.canonical_name), ['second-hello']);
    assert.equal((await engine.callSkill('second-hello')).content, 'two');

    const edited = await deltaAfter(engine, () => pkg(skills, 'second', 'two', 'changed description'));
    assert.deepEqual(edited.updated_entries.map((e) => [e.canonical_name, e.description]), [['second-hello', 'changed description']]);

    const removed = await deltaAfter(engine, () => rmSync(path.join(skills, 'first'), { recursive: true }));
    assert.deepEqual(removed.removed_entry_names, ['first-hello']);

    // Half-written: the manifest arrives before its entry script; the skill loads once complete.
    const half = path.join(skills, 'late');
    mkdirSync(path.join(half, 'runtime'), { recursive: true });
    writeFileSync(path.join(half, 'skill.yaml'), 'name: late\nversion: 1.0.0\nentries:\n  - name: hello\n    description: d\n    lua_entry: runtime/hello.lua\n    lua_module: late_hello\n');
    await new Promise((r) => setTimeout(r, 300));
    const late = await deltaAfter(engine, () => writeFileSync(path.join(half, 'runtime', 'hello.lua'), 'return function() return "complete" end'));
    assert.deepEqual(late.added_entries.map((e) => e.canonical_name), ['late-hello']);
    assert.equal((await engine.callSkill('late-hello')).content, 'complete');

    assert.equal((await inflight).content, 'old');
  } finally {
    await engine.close();
  }
});

test('without watch, nothing reloads on its own', async () => {
  const skills = path.join(root, 'quiet');
  mkdirSync(skills);
  pkg(skills, 'only', 'x');
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 } });
  try {
    await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skills }]);
    let deltas = 0;
    engine.on('registry-delta', () => deltas++);
    pkg(skills, 'other', 'y');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(deltas, 0);
    assert.deepEqual(engine.listEntries().map((e) => e.canonical_name), ['only-hello']);
  } finally {
    await engine.close();
  }
});
