#!/usr/bin/env node
// Builds the addon with AddressSanitizer and UBSan in a scratch copy of the project and runs the
// test suite against it (npm run test:asan). Node itself is not instrumented, so libasan is
// preloaded and leak detection is off; any memory error aborts the test that caused it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(os.tmpdir(), 'luaskills-asan');
const gyp = process.env.npm_config_node_gyp ?? 'node-gyp';

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
for (const entry of ['native', 'deps', 'package.json']) {
  fs.cpSync(path.join(root, entry), path.join(work, entry), { recursive: true });
}
fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'), 'dir');
const sanitize = "'-fsanitize=address,undefined'";
fs.writeFileSync(
  path.join(work, 'binding.gyp'),
  fs
    .readFileSync(path.join(root, 'binding.gyp'), 'utf8')
    .replace("'cflags': ['-O2'],", `'cflags': ['-O1', '-g', '-fno-omit-frame-pointer', ${sanitize}], 'ldflags': [${sanitize}],`)
    .replaceAll("'-fomit-frame-pointer'", "'-fno-omit-frame-pointer'"),
);
const run = gyp.endsWith('.js') ? [process.execPath, [gyp]] : [gyp, []];
execFileSync(run[0], [...run[1], 'rebuild', '-j', '2'], { cwd: work, stdio: 'inherit' });

const libasan = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
// Arguments pick test files (`npm run test:asan -- test/vm.test.mjs`); none: the whole suite.
const picked = process.argv.slice(2).map((arg) => path.basename(arg));
for (const name of picked) {
  if (!fs.existsSync(path.join(root, 'test', name))) throw new Error(`test:asan: no test file test/${name}`);
}
const tests = picked.length > 0 ? picked : fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.mjs') && f !== 'cmake-build.test.mjs');
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...tests.map((t) => path.join('test', t))], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    LD_PRELOAD: libasan,
    ASAN_OPTIONS: 'detect_leaks=0:handle_segv=0:allow_user_segv_handler=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    LUASKILLS_NATIVE: path.join(work, 'build', 'Release', 'luaskills.node'),
  },
});
process.exit(r.status ?? 1);
