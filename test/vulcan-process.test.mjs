// vulcan.process and vulcan.os (native): exec, which, launchers, sessions, with real processes.
// Children run in their own process group: timeouts, close, kill and GC take grandchildren too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { LuaSkillsEngine, LuaVm } from '../dist/index.js';

const vm = new LuaVm();
const P = 'local process = require("luaskills.process") ';
const run = (code, args) => vm.execSync(P + code, { args });
const exec = (specLua) => run(`return process.exec(${specLua})`);
const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-process-')));

const SUCCESS_KEYS = ['code', 'ok', 'stderr', 'stderr_encoding', 'stderr_lossy', 'stdout', 'stdout_encoding', 'stdout_lossy', 'success', 'timed_out'];

// Dead: no such process, or a zombie waiting for a reaper that is not ours (the grandchild of a
// killed shell belongs to init then). Waits a little for the kernel to deliver SIGKILL.
async function assertDead(pid) {
  for (let i = 0; i < 500; i++) {
    let state;
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    } catch {
      return;
    }
    if (state === 'Z') return;
    await sleep(10);
  }
  assert.fail(`process ${pid} is still running`);
}

function assertGone(pid) {
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} must be reaped`);
}

test('vulcan.os.info: Rust std::env::consts names', () => {
  const arch = { x64: 'x86_64', arm64: 'aarch64', ia32: 'x86', arm: 'arm' }[process.arch] ?? process.arch;
  assert.deepEqual(vm.execSync('return require("luaskills.os").info()'), { os: 'linux', arch });
});

test('launchers: sh first and always, then the shells found on PATH, in candidate order', () => {
  const l = run('return process.launchers()');
  assert.equal(l.default, 'sh');
  assert.equal(l.shells[0], 'sh');
  const order = ['sh', 'bash', 'zsh', 'pwsh', 'powershell'];
  const onPath = (name) => process.env.PATH.split(':').some((d) => {
    try {
      fs.accessSync(path.join(d, name), fs.constants.X_OK);
      return fs.statSync(path.join(d, name)).isFile();
    } catch {
      return false;
    }
  });
  assert.deepEqual(l.shells, order.filter((s) => s === 'sh' || onPath(s)));
});

test('which: PATH lookup, explicit paths, executable bit, argument checks', () => {
  const sh = run('return process.which("sh")');
  assert.ok(path.isAbsolute(sh) && sh.endsWith('/sh') && fs.existsSync(sh), sh);
  assert.equal(run('return process.which("luaskills-no-such-program")'), undefined);
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'data'), 'x', { mode: 0o644 });
  assert.equal(run('return process.which(args)', path.join(dir, 'tool')), path.join(dir, 'tool'));
  assert.equal(run('return process.which(args)', `${dir}/./sub/../tool`), path.join(dir, 'tool'));
  assert.equal(run('return process.which(args)', path.join(dir, 'data')), undefined, 'no executable bit');
  assert.equal(run('return process.which(args)', dir), undefined, 'a directory is not a program');
  assert.throws(() => run('return process.which(1)'), /process\.which: program must be a string, got integer/);
  assert.throws(() => run('return process.which("  ")'), /process\.which: program must not be empty/);
  fs.rmSync(dir, { recursive: true });
});

test('exec: a string runs in sh -c; success has error = nil and exactly the upstream fields', () => {
  const r = exec('"echo hi; echo there >&2"');
  assert.deepEqual(Object.keys(r).sort(), SUCCESS_KEYS);
  assert.deepEqual(r, {
    ok: true, success: true, code: 0, stdout: 'hi\n', stderr: 'there\n', stdout_encoding: 'utf-8',
    stderr_encoding: 'utf-8', stdout_lossy: false, stderr_lossy: false, timed_out: false,
  });
  assert.deepEqual(run('local r = process.exec("true") return { r.error == nil, r.stdout_base64 == nil, r.stderr_base64 == nil }'), [true, true, true]);
});

test('exec: non-zero exit, death by signal, spawn failures', () => {
  const r = exec('{ command = "printf out; printf err >&2; exit 3" }');
  assert.deepEqual(r, {
    ok: false, success: false, code: 3, stdout: 'out', stderr: 'err', stdout_encoding: 'utf-8', stderr_encoding: 'utf-8',
    stdout_lossy: false, stderr_lossy: false, timed_out: false, error: 'process exited with code 3',
  });
  const killed = exec('"kill -9 $$"');
  assert.equal(killed.code, undefined);
  assert.equal(killed.ok, false);
  assert.equal(killed.error, 'process terminated without an exit code');
  const missing = exec('{ program = "luaskills-no-such-program", args = { "x" } }');
  const text = 'failed to spawn process: No such file or directory (os error 2)';
  assert.deepEqual(missing, {
    ok: false, success: false, stdout: '', stderr: text, stdout_encoding: 'utf-8', stderr_encoding: 'utf-8',
    stdout_lossy: false, stderr_lossy: false, timed_out: false, error: text,
  });
  assert.equal(exec('{ command = "true", cwd = "/luaskills/no/such/dir" }').error, text);
  assert.equal(exec('{ command = "true", stdout_encoding = "gbk" }').stdout_encoding, 'gbk');
  assert.equal(exec('{ program = "luaskills-no-such-program", encoding = "latin1" }').stdout_encoding, 'latin1');
});

test('exec: invalid specs raise with upstream messages', () => {
  const cases = [
    ['{ command = "a", program = "b" }', 'process.exec: command and program are mutually exclusive'],
    ['{}', 'process.exec: expected a string command or a table with command'],
    ['nil', 'process.exec: expected a string or table, got nil'],
    ['42', 'process.exec: expected a string or table, got integer'],
    ['""', 'process.exec: command must not be empty'],
    ['"a\\0b"', 'process.exec: command must not contain NUL bytes'],
    ['{ command = 1 }', 'process.exec: command must be a string, got integer'],
    ['{ command = "x", args = { "a" } }', 'process.exec: args is only supported with program mode'],
    ['{ command = "x", shell = false }', 'process.exec: shell=false cannot be used with command mode'],
    ['{ program = "x", shell = true }', 'process.exec: shell=true requires command mode'],
    ['{ program = "x", shell = "sh" }', 'process.exec: shell="sh" requires command mode'],
    ['{ command = "x", shell = 1 }', 'process.exec: shell must be a boolean or string when provided: integer'],
    ['{ command = "x", timeout_ms = 0 }', 'process.exec: timeout_ms must be a positive integer in milliseconds: integer'],
    ['{ command = "x", timeout_ms = 1.5 }', 'process.exec: timeout_ms must be a positive integer in milliseconds: number'],
    ['{ command = "x", timeout_ms = "9" }', 'process.exec: timeout_ms must be a positive integer in milliseconds: string'],
    ['{ command = "x", encoding = "klingon" }', 'process.exec: encoding: unsupported text encoding `klingon`'],
    ['{ command = "x", stdin_encoding = 5 }', 'process.exec: stdin_encoding must be a string, got integer'],
    ['{ command = "x", env = "A=1" }', 'process.exec: env must be a table, got string'],
    ['{ command = "x", env = { A = {} } }', 'process.exec: env.A must be a string: table'],
    ['{ command = "x", env = { [1] = "v" } }', 'process.exec: env.<key> must be a string, got integer'],
    ['{ program = "x", args = "a" }', 'process.exec: args must be a table, got string'],
    ['{ program = "x", args = { "a", {} } }', 'process.exec: args[2] must be a string: table'],
    ['{ program = "x", args = { 0/0 } }', 'process.exec: args[1] must be a finite number'],
    ['{ program = "  " }', 'process.exec: program must not be empty'],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => exec(spec), (e) => e.message.includes(message), `${spec} -> ${message}`);
  }
  assert.throws(() => exec('{ command = "x", cwd = tostring({}) }'), /process\.exec: cwd looks like a coerced Lua object string `table: 0x/);
  assert.throws(() => exec('{ command = "x", shell = "fish" }'), /process\.exec: shell must be one of: sh(, |$)/);
  assert.throws(() => exec('{ command = "x", shell = "cmd" }'), /process\.exec: shell `cmd` is not available in the current host; available shell values: sh/);
});

test('exec: shell selection and program mode argv', () => {
  assert.equal(exec('{ command = "echo $0", shell = true }').stdout, 'sh\n');
  assert.equal(exec('{ command = "echo $0", shell = " SH " }').stdout, 'sh\n');
  if (run('for _, s in ipairs(process.launchers().shells) do if s == "bash" then return true end end return false')) {
    assert.equal(exec('{ command = "echo $BASH_VERSION | grep -c .", shell = "bash" }').stdout, '1\n');
  }
  // No shell in program mode: metacharacters are plain arguments.
  assert.equal(exec('{ program = "printf", args = { "%s|", "$HOME", "a b", "*" }, shell = false }').stdout, '$HOME|a b|*|');
});

test('exec: args are stringified as upstream (Rust Display for numbers)', () => {
  const r = exec('{ program = "printf", args = { "[%s]", 1, -7, 2.5, true, false, 1e20, 3.0, -0.0, 1e-7, 0.1 } }');
  assert.equal(r.stdout, '[1][-7][2.5][true][false][100000000000000000000][3][-0][0.0000001][0.1]');
});

test('exec: env is merged into the inherited environment; an overridden PATH finds the program', () => {
  const r = exec('{ command = [[printf "%s:%s:%s" "$LUASKILLS_T" "$LUASKILLS_N" "${PATH:+inherited}"]], env = { LUASKILLS_T = "v", LUASKILLS_N = 5 } }');
  assert.equal(r.stdout, 'v:5:inherited');
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'luaskills-tool'), '#!/bin/sh\necho "tool $1"\n', { mode: 0o755 });
  const found = run('return process.exec({ program = "luaskills-tool", args = { "ran" }, env = { PATH = args .. ":/usr/bin:/bin" } })', dir);
  assert.equal(found.stdout, 'tool ran\n');
  fs.rmSync(dir, { recursive: true });
});

test('exec: cwd, stdin, and the logical cwd of the VM', () => {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\necho "tool in $(pwd)"\n', { mode: 0o755 });
  assert.equal(run('return process.exec({ command = "pwd", cwd = args }).stdout', dir), `${dir}\n`);
  assert.equal(exec('{ command = "cat", stdin = "héllo\\n" }').stdout, 'héllo\n');
  assert.equal(exec('{ command = "wc -c", stdin = "" }').stdout.trim(), '0');
  const lvm = new LuaVm();
  lvm.execSync('require("luaskills.cwd").set(args)', { args: dir });
  const p = (code) => lvm.execSync(P + code);
  assert.equal(p('return process.exec("pwd").stdout'), `${dir}\n`);
  assert.equal(p('return process.exec({ command = "pwd", cwd = "sub" }).stdout'), `${dir}/sub\n`);
  assert.equal(p('return process.exec({ program = "./tool" }).stdout'), `tool in ${dir}\n`);
  assert.equal(p('return process.which("./tool")'), path.join(dir, 'tool'));
  assert.equal(p('local s = process.session.open({ program = "pwd" }) s:close({ timeout_ms = 5000 }) return s:read().stdout'), `${dir}\n`);
  assert.equal(process.cwd() === dir, false, 'the process never changes directory');
  lvm.close();
  fs.rmSync(dir, { recursive: true });
});

test('exec: encodings round trip (gbk, gb18030, latin1, base64) and binary output', () => {
  const zh = '\\326\\320\\316\\304'; // 中文 in GBK
  assert.deepEqual(run(`local r = process.exec({ command = [[printf '${zh}']], encoding = "gbk" }) return { r.stdout, r.stdout_encoding, r.stdout_lossy, r.stdout_base64 == nil }`), ['中文', 'gbk', false, true]);
  assert.equal(exec(`{ command = [[printf '${zh}' >&2]], stderr_encoding = "gb18030" }`).stderr, '中文');
  assert.equal(exec(`{ command = [[printf '\\351t\\351']], encoding = "latin1" }`).stdout, 'été');
  const b = exec(`{ command = [[printf '\\377\\000A']], stdout_encoding = "base64" }`);
  assert.deepEqual([b.stdout, b.stdout_base64, b.stdout_encoding, b.stdout_lossy], ['/wBB', '/wBB', 'base64', false]);
  // stdin is encoded before it is written.
  assert.equal(exec('{ command = "cat", stdin = "中文", stdin_encoding = "gbk", stdout_encoding = "base64" }').stdout, Buffer.from([0xd6, 0xd0, 0xce, 0xc4]).toString('base64'));
  assert.equal(exec('{ command = "cat", stdin = "/wBB", stdin_encoding = "base64", stdout_encoding = "base64" }').stdout, '/wBB');
  const bad = exec('{ command = "cat", stdin = "✓", stdin_encoding = "gbk" }');
  assert.equal(bad.ok, false);
  assert.match(bad.error, /^failed to encode process stdin: /);
  // Undecodable bytes: replacement characters, lossy, and the raw bytes as base64.
  const bin = exec(`{ command = [[printf '\\377abc']] }`);
  assert.deepEqual([bin.stdout, bin.stdout_lossy, bin.stdout_base64, bin.stderr_base64], ['\ufffdabc', true, '/2FiYw==', undefined]);
});

test('exec: 10 MB of stdout, 5 MB of stderr and 8 MB of stdin at once arrive intact', () => {
  const big = run(`local r = process.exec([[head -c 10485760 /dev/zero | tr '\\0' a; head -c 5000000 /dev/zero | tr '\\0' b >&2]])
    return { #r.stdout, r.stdout:find("[^a]") == nil, #r.stderr, r.stderr:find("[^b]") == nil, r.ok }`);
  assert.deepEqual(big, [10485760, true, 5000000, true, true]);
  const echo = run('local input = string.rep("0123456789abcdef", 512 * 1024) local r = process.exec({ command = "cat", stdin = input }) return { #r.stdout, r.stdout == input }');
  assert.deepEqual(echo, [8 * 1024 * 1024, true]);
});

test('exec: timeout_ms kills the whole process group, grandchildren included', async () => {
  const r = exec('{ command = "sleep 30 & echo $!; wait", timeout_ms = 300 }');
  assert.equal(r.timed_out, true);
  assert.equal(r.ok, false);
  assert.equal(r.success, false);
  assert.equal(r.code, undefined);
  assert.equal(r.error, 'process execution timed out after 300 ms');
  assert.equal(r.stderr, 'process execution timed out after 300 ms');
  const grandchild = Number(r.stdout.trim());
  assert.ok(grandchild > 0, r.stdout);
  await assertDead(grandchild);
  const withErr = exec('{ command = "echo partial >&2; exec sleep 30", timeout_ms = 200 }');
  assert.equal(withErr.stderr, 'partial\n\nprocess execution timed out after 200 ms', 'upstream adds a newline before the note');
});

test('exec: the VM job timeout and cancellation stop a running process.exec and kill its child', async () => {
  const dir = tmp();
  const pidFile = path.join(dir, 'pid');
  const lvm = new LuaVm();
  await assert.rejects(
    lvm.exec(`${P} process.exec({ command = "echo $$ > ${pidFile}; exec sleep 30" })`, { timeoutMs: 300 }),
    (e) => e.code === 'timeout',
  );
  assertGone(Number(fs.readFileSync(pidFile, 'utf8')));
  fs.rmSync(pidFile);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(
    lvm.exec(`${P} process.exec({ command = "echo $$ > ${pidFile}; exec sleep 30" })`, { signal: ac.signal }),
    (e) => e.code === 'cancelled',
  );
  assertGone(Number(fs.readFileSync(pidFile, 'utf8')));
  // pcall cannot swallow it, and the VM works afterwards.
  await assert.rejects(lvm.exec(`${P} local ok = pcall(process.exec, "sleep 30") return ok`, { timeoutMs: 200 }), (e) => e.code === 'timeout');
  assert.equal(await lvm.exec(`${P} return process.exec("echo ok").stdout`), 'ok\n');
  lvm.close();
  fs.rmSync(dir, { recursive: true });
});

test('exec: the event loop keeps running while an async exec waits for a process', async () => {
  const lvm = new LuaVm();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const r = await lvm.exec(`${P} return process.exec("sleep 0.5")`);
  clearInterval(timer);
  assert.equal(r.ok, true);
  assert.ok(ticks > 0, `ticks: ${ticks}`);
  lvm.close();
});

test('session: interactive cat with write, read, until_text, max_bytes, status and close', () => {
  const r = run(`local s = process.session.open({ program = "cat" })
    local out = {}
    out.w = s:write("a", 1, 2.5, true, "\\n")
    out.r1 = s:read({ until_text = "true", timeout_ms = 5000 })
    s:write("0123456789\\n")
    out.r2 = s:read({ until_text = "9", max_bytes = 4, timeout_ms = 5000 })
    out.r3 = s:read({ timeout_ms = 5000 })
    out.idle = s:read({ timeout_ms = 30 })
    out.blank = select(2, pcall(s.read, s, { until_text = "\\n" }))
    out.st = s:status()
    out.c = s:close()
    out.st2 = s:status()
    out.c2 = s:close()
    out.werr = select(2, pcall(s.write, s, "x"))
    out.after = s:read()
    return out`);
  assert.equal(r.w, true);
  assert.deepEqual(r.r1, { stdout: 'a12.5true\n', stderr: '', stdout_encoding: 'utf-8', stderr_encoding: 'utf-8', stdout_lossy: false, stderr_lossy: false, timed_out: false });
  assert.equal(r.r2.stdout, '0123');
  assert.equal(r.r3.stdout, '456789\n');
  assert.deepEqual([r.idle.stdout, r.idle.timed_out], ['', true]);
  assert.match(r.blank, /process\.session\.read: until_text must not be empty/, 'upstream trims: a newline marker is blank');
  assert.deepEqual(r.st, { running: true, exited: false });
  assert.deepEqual(r.c, { running: false, exited: true, success: true, code: 0 });
  assert.deepEqual(r.st2, r.c);
  assert.deepEqual(r.c2, r.c);
  assert.match(r.werr, /process\.session\.write: stdin is closed/);
  assert.deepEqual([r.after.stdout, r.after.timed_out], ['', false], 'streams at EOF: no wait');
});

test('session: exit codes, stderr, kill, close timeout, buffer limit, encodings', () => {
  const r = run(`local out = {}
    local s = process.session.open({ program = "sh", args = { "-c", "echo oops >&2; exit 7" } })
    out.err = s:read({ until_text = "oops", timeout_ms = 5000 }).stderr
    out.exit = s:close({ timeout_ms = 5000 })
    local k = process.session.open({ program = "sleep", args = { "30" } })
    out.kill = k:kill()
    out.killed = k:status()
    local t = process.session.open({ program = "sleep", args = { "30" } })
    out.timeout = t:close({ timeout_ms = 50 })
    local b = process.session.open({ program = "printf", args = { "0123456789abcdef" }, buffer_limit_bytes = 4 })
    b:close({ timeout_ms = 5000 })
    out.window = b:read().stdout
    local g = process.session.open({ program = "cat", encoding = "gbk" })
    g:write("中文")
    local gr = g:read({ until_text = "文", timeout_ms = 5000 })
    out.gbk = { gr.stdout, gr.stdout_encoding }
    g:kill()
    local raw = process.session.open({ program = "printf", args = { "\\\\377" } })
    local rr = raw:read({ timeout_ms = 5000 })
    out.raw = { rr.stdout, rr.stdout_lossy, rr.stdout_base64 }
    raw:close()
    return out`);
  assert.equal(r.err, 'oops\n');
  assert.deepEqual(r.exit, { running: false, exited: true, success: false, code: 7 });
  assert.equal(r.kill, true);
  assert.deepEqual(r.killed, { running: false, exited: true, success: false });
  assert.deepEqual(r.timeout, { running: false, exited: true, success: false });
  assert.equal(r.window, 'cdef', 'the newest bytes are kept');
  assert.deepEqual(r.gbk, ['中文', 'gbk']);
  assert.deepEqual(r.raw, ['\ufffd', true, '/w==']);
});

test('session: open and method argument errors', () => {
  const cases = [
    ['process.session.open("cat")', 'process.session.open: spec must be a table, got string'],
    ['process.session.open({})', 'process.session.open: program must be a string, got nil'],
    ['process.session.open({ program = "" })', 'process.session.open: program must not be empty'],
    ['process.session.open({ program = "cat", args = "x" })', 'process.session.open: args must be an array table, got string'],
    ['process.session.open({ program = "cat", args = { 1 } })', 'process.session.open: args must be a string, got number'],
    ['process.session.open({ program = "cat", buffer_limit_bytes = 0 })', 'process.session.open: buffer_limit_bytes must be a positive number, got number'],
    ['process.session.open({ program = "cat", encoding = "zz" })', 'process.session.open: unsupported text encoding `zz`'],
    ['process.session.open({ program = "cat", stdout_encoding = 1 })', 'process.session.open: stdout_encoding must be a string, got number'],
    ['process.session.open({ program = "luaskills-no-such-program" })', 'process.session.open: No such file or directory (os error 2)'],
  ];
  for (const [code, message] of cases) {
    assert.throws(() => run(code), (e) => e.message.includes(message), `${code} -> ${message}`);
  }
  const methods = [
    ['s:read(5)', 'process.session.read: options must be a table, got number'],
    ['s:read({ max_bytes = -1 })', 'process.session.read: max_bytes must be a positive number, got number'],
    ['s:read({ timeout_ms = "1" })', 'process.session.read: timeout_ms must be a positive number, got string'],
    ['s:read({ until_text = "" })', 'process.session.read: until_text must not be empty'],
    ['s:close("x")', 'process.session.close: options must be a table, got string'],
    ['s:write({})', 'process.session.write: unsupported value table'],
    ['s:write("✓")', 'process.session.write: '],
  ];
  for (const [code, message] of methods) {
    const enc = code.includes('✓') ? ', stdin_encoding = "gbk"' : '';
    assert.throws(() => run(`local s = process.session.open({ program = "cat"${enc} }) local ok, err = pcall(function() return ${code} end) s:kill() error(err, 0)`), (e) => e.message.includes(message), `${code} -> ${message}`);
  }
});

test('session: close, kill, GC and VM close take the whole process tree', async () => {
  const tree = run(`local s = process.session.open({ program = "sh", args = { "-c", "sleep 30 & echo pid=$!; wait" } })
    local pid = s:read({ until_text = "pid=", timeout_ms = 5000 }).stdout:match("%d+")
    s:close({ timeout_ms = 50 })
    return tonumber(pid)`);
  await assertDead(tree);
  const collected = run(`local s = process.session.open({ program = "sh", args = { "-c", "echo pid=$$; exec sleep 30" } })
    local pid = tonumber(s:read({ until_text = "pid=", timeout_ms = 5000 }).stdout:match("%d+"))
    s = nil
    collectgarbage() collectgarbage()
    return pid`);
  assertGone(collected);
  const lvm = new LuaVm();
  const pid = lvm.execSync(`${P} keep = process.session.open({ program = "sh", args = { "-c", "echo pid=$$; exec sleep 30" } })
    return tonumber(keep:read({ until_text = "pid=", timeout_ms = 5000 }).stdout:match("%d+"))`);
  process.kill(pid, 0); // alive while the VM holds it
  lvm.close();
  assertGone(pid);
});

test('session: a long read honours the VM job timeout', async () => {
  const lvm = new LuaVm();
  await assert.rejects(
    lvm.exec(`${P} s = process.session.open({ program = "cat" }) return s:read({ timeout_ms = 60000 })`, { timeoutMs: 300 }),
    (e) => e.code === 'timeout',
  );
  assert.deepEqual(await lvm.exec('s:write("x") return s:read({ until_text = "x", timeout_ms = 5000 }).stdout'), 'x');
  lvm.close();
});

test('vulcan.process and vulcan.os in skill VMs (run_lua) and lease VMs (logical cwd)', async () => {
  const root = tmp();
  const skills = path.join(root, 'skills');
  const work = path.join(root, 'work');
  fs.mkdirSync(skills);
  fs.mkdirSync(work);
  const engine = new LuaSkillsEngine({ runtimeRoot: root });
  await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skills }]);
  assert.deepEqual(await engine.runLua('return { vulcan.process.exec("echo skill").stdout, vulcan.os.info().os }'), ['skill\n', 'linux']);
  const lease = await engine.leases.create({ sid: 'proc', cwd: work });
  const out = await engine.leases.eval({ lease_id: lease.lease_id, code: 'return { vulcan.process.exec("pwd").stdout, vulcan.os.info().os, vulcan.process.launchers().default }' });
  assert.equal(out.ok, true, out.message);
  assert.deepEqual(out.result, [`${work}\n`, 'linux', 'sh']);
  await engine.close();
  fs.rmSync(root, { recursive: true });
});
