// The stock lua5.4 interpreter (Debian package), spawned as a child process. It times its own
// work with os.clock() (CPU time) and prints the figures; nothing is subtracted.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { CPU_WORKLOADS, cpuFile, luaDir } from '../lib/workloads.mjs';
import { median, config } from '../lib/timing.mjs';

// LUA54=/path/to/lua overrides the search (LUA54=none: behave as if it were not installed).
const candidates = process.env.LUA54 ? [process.env.LUA54] : ['lua5.4', '/usr/bin/lua5.4', 'lua'];

export async function load() {
  let bin;
  let version;
  for (const c of candidates) {
    const r = spawnSync(c, ['-v'], { encoding: 'utf8' });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status === 0 && /Lua 5\.4/.test(out)) {
      bin = c;
      version = out.trim().split(/\s+/).slice(0, 2).join(' ');
      break;
    }
  }
  if (!bin) throw new Error('no lua5.4 interpreter found');
  const warnings = [];

  const rows = {
    eval: async () => {
      const r = spawnSync(bin, [path.join(luaDir, 'native-eval.lua'), String(config.reps), String(config.targetMs)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (r.status !== 0) throw new Error(`lua5.4 native-eval.lua failed: ${r.stderr || r.error}`);
      const [status, ...nums] = r.stdout.trim().split(/\s+/);
      if (status !== 'ok') warnings.push('lua5.4 eval: wrong result');
      const samples = nums.map(Number);
      return { value: median(samples), samples };
    },
  };

  /**
   * A CPU workload in a long-lived interpreter: each runOnce() asks it for one timed run, so
   * run.mjs can interleave these runs with the other engines' (same machine conditions).
   */
  async function cpuSession(wl) {
    const child = spawn(bin, [path.join(luaDir, 'native-runner.lua'), cpuFile(wl)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = '';
    let stderr = '';
    const waiters = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        waiters.shift()?.resolve(line);
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`lua5.4 exited (${code}): ${stderr.trim()}`));
    });
    child.on('error', (err) => {
      for (const w of waiters.splice(0)) w.reject(err);
    });
    return {
      async runOnce() {
        const line = await new Promise((resolve, reject) => {
          waiters.push({ resolve, reject });
          child.stdin.write('run\n');
        });
        const [status, ms] = line.trim().split(/\s+/);
        if (status !== 'ok') warnings.push(`lua5.4 ${wl}: wrong result`);
        return Number(ms);
      },
      close() {
        child.stdin.end('quit\n');
      },
      clock: 'os.clock (CPU time)',
    };
  }

  const cpuSessions = Object.fromEntries(CPU_WORKLOADS.map((wl) => [wl, () => cpuSession(wl)]));
  return { name: 'lua5.4', version, rows, cpuSessions, warnings };
}
