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
