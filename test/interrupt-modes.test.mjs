// Timeouts, cancellation and close() in both interrupt modes: by signal (default on POSIX: no
// count hook until a stop is requested) and by a permanent count hook (LUASKILLS_INTERRUPT=hook).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/interrupts.mjs', import.meta.url));
const expected = {
  syncTimeout: 'timeout',
  asyncTimeout: 'timeout',
  coroutineTimeout: 'timeout',
  swallowed: 'timeout',
  abort: 'cancelled',
  hostWait: 'timeout',
  after: 42,
  close: 'closed',
};

function run(mode, ...args) {
  const env = { ...process.env, LUASKILLS_INTERRUPT: mode };
  return JSON.parse(execFileSync(process.execPath, [fixture, ...args], { env, encoding: 'utf8', timeout: 20_000 }));
}

test('signal mode stops every kind of job', () => {
  assert.deepEqual(run('signal'), expected);
});

test('hook mode stops every kind of job', () => {
  assert.deepEqual(run('hook'), expected);
});

test('a SIGURG handler installed by the application keeps working and does not break timeouts', () => {
  assert.deepEqual(run('signal', '--user-sigurg'), { ...expected, userSignals: 1 });
});
