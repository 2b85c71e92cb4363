// The integration skill (examples/skills/workspace-report): vulcan.fs lists files, a real `wc -l`
// runs through vulcan.process.exec, vulcan.json writes a report that vulcan.fs reads back, and
// vulcan.config remembers where — all from a skill called through the engine.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LuaSkillsEngine } from '../dist/index.js';

const skillsDir = fileURLToPath(new URL('../examples/skills', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'luaskills-integration-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('workspace-report: list, exec, write JSON, read back, remember in config', async () => {
  const data = path.join(root, 'data');
  mkdirSync(path.join(data, 'nested'), { recursive: true });
  writeFileSync(path.join(data, 'b.txt'), 'one\ntwo\nthree\n');
  writeFileSync(path.join(data, 'a.md'), '# title\n\ntext\nmore\n');
  writeFileSync(path.join(data, 'empty'), '');
  writeFileSync(path.join(data, 'nested', 'skipped.txt'), 'not listed\n');
  const logs = [];
  const engine = new LuaSkillsEngine({ runtimeRoot: root, pool: { minSize: 0, maxSize: 1 }, logSink: (r) => logs.push(r.line) });
  try {
    await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
    assert.equal((await engine.callSkill('workspace-report-last')).content, 'no report yet');
    const result = await engine.callSkill('workspace-report-scan', { dir: data });
    const expected = {
      dir: data,
      files: [
        { bytes: 19, lines: 4, name: 'a.md' },
        { bytes: 14, lines: 3, name: 'b.txt' },
        { bytes: 0, lines: 0, name: 'empty' },
      ],
      total_lines: 7,
    };
    assert.deepEqual(JSON.parse(result.content), expected);
    // The content is the file as written: vulcan.json's compact, key-sorted form.
    const reportPath = path.join(root, 'temp', 'workspace-report.json');
    assert.equal(readFileSync(reportPath, 'utf8'), result.content);
    assert.equal(result.content, JSON.stringify(expected));
    assert.deepEqual(logs, ['[LuaSkill:info] workspace-report: 3 files, 7 lines']);
    assert.deepEqual(JSON.parse(readFileSync(path.join(root, 'config', 'system-skills', 'config.json'), 'utf8')), {
      format_version: 1,
      revision: '1',
      skills: { 'workspace-report': { last_report: reportPath } },
    });
    assert.equal((await engine.callSkill('workspace-report-last')).content, `${reportPath} (3 files)`);
    // An explicit output path, in a directory that does not exist yet.
    const out = path.join(root, 'reports', 'deep', 'r.json');
    const second = await engine.callSkill('workspace-report-scan', { dir: path.join(data, 'nested'), out });
    assert.deepEqual(JSON.parse(second.content).files, [{ bytes: 11, lines: 1, name: 'skipped.txt' }]);
    assert.equal((await engine.callSkill('workspace-report-last')).content, `${out} (1 files)`);
    await assert.rejects(engine.callSkill('workspace-report-scan', { dir: path.join(data, 'b.txt') }), /workspace-report-scan: dir must name a directory/);
  } finally {
    await engine.close();
  }
});
