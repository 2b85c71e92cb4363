// The README's main-job command keeps working.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('node examples/hello.mjs', () => {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL('../examples/hello.mjs', import.meta.url))], { encoding: 'utf8' });
  assert.equal(
    out,
    'hello, lua\ntotal: 60\nstopped (timeout): timeout: Lua execution exceeded 100 ms\nstill alive: 42\n',
  );
});

test('npm run demo (examples/demo.mjs) loads the example skills and calls them', () => {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL('../examples/demo.mjs', import.meta.url))], { encoding: 'utf8' });
  assert.equal(
    out,
    [
      'loaded: note-pad, text-tools, workspace-report',
      'entries: note-pad-add, note-pad-summary, text-tools-lines, text-tools-word-count, workspace-report-last, workspace-report-scan',
      '',
      'text-tools-word-count -> words=5 lines=2 chars=20',
      'text-tools-lines -> 25 lines, overflow_mode=Page, template_hint=numbered-lines',
      'note-pad-add -> 2 note(s) in this VM; last: call Ada',
      'note-pad-summary -> summary of demo-1: words=3 lines=1 chars=13',
      '  log [LuaSkill:info] workspace-report: 2 files, 17 lines',
      'workspace-report-scan -> lines.lua:9 word_count.lua:8 total=17',
      'workspace-report-last -> workspace-report.json (2 files)',
      '',
      'runLua -> {"sum":42}',
      'help text-tools/stats -> Statistics of text-tools: words are runs of non-space characters; lines are split on newlines.',
      '',
      'runaway code stopped: timeout',
      '',
    ].join('\n'),
  );
});
