// Skill-engine figures (luaskills only): callSkill latency percentiles with one and two pooled
// VMs, and load time / first-call latency as the number of skills grows (lazy compilation keeps
// VM creation flat). `--only skills` runs just these.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { LuaSkillsEngine } from '../dist/index.js';
import { msSince, now, printFigureTable } from './lib/timing.mjs';

function makeSkills(dir, skills, entries) {
  for (let s = 0; s < skills; s++) {
    const id = `bench-s${s}`;
    mkdirSync(path.join(dir, id, 'runtime'), { recursive: true });
    const lines = ['name: Bench', 'version: 1.0.0', 'entries:'];
    for (let e = 0; e < entries; e++) {
      lines.push(`  - name: e${e}`, `    lua_entry: runtime/e${e}.lua`, `    lua_module: ${id.replace(/-/g, '_')}_e${e}`);
      writeFileSync(path.join(dir, id, 'runtime', `e${e}.lua`), `local calls = 0\nreturn function(args)\n  calls = calls + 1\n  return "ok " .. tostring(args.n)\nend\n`);
    }
    writeFileSync(path.join(dir, id, 'skill.yaml'), `${lines.join('\n')}\n`);
  }
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

async function latency(engine, name, parallel, total) {
  const samples = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const t = now();
      await engine.callSkill(name, { n: next });
      samples.push(msSince(t) * 1000);
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: parallel }, worker));
  return { p50: pct(samples, 50), p99: pct(samples, 99), perSec: (total / msSince(t0)) * 1000 };
}

export async function measureSkills() {
  const root = mkdtempSync(path.join(tmpdir(), 'luaskills-bench-'));
  const rows = [];
  try {
    const small = path.join(root, 'small');
    makeSkills(small, 1, 1);
    for (const workers of [1, 2]) {
      const engine = new LuaSkillsEngine({ pool: { minSize: workers, maxSize: workers } });
      await engine.loadFromRoots([{ name: 'ROOT', skills_dir: small }]);
      await latency(engine, 'bench-s0-e0', workers, 2000); // warm-up
      const r = await latency(engine, 'bench-s0-e0', workers, 20000);
      rows.push([`callSkill of a trivial entry, ${workers} VM${workers > 1 ? 's' : ''} (${workers} caller${workers > 1 ? 's' : ''}) p50 / p99`, 'µs', `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`]);
      rows.push([`  throughput`, 'calls/s', r.perSec.toFixed(0)]);
      await engine.close();
    }
    for (const skills of [5, 50]) {
      const dir = path.join(root, `set-${skills}`);
      makeSkills(dir, skills, 10);
      const engine = new LuaSkillsEngine({ pool: { minSize: 1, maxSize: 1 } });
      let t = now();
      await engine.loadFromRoots([{ name: 'ROOT', skills_dir: dir }]);
      const loadMs = msSince(t);
      t = now();
      await engine.callSkill('bench-s0-e0', { n: 1 });
      const firstUs = msSince(t) * 1000;
      t = now();
      await engine.callSkill('bench-s0-e0', { n: 2 });
      const secondUs = msSince(t) * 1000;
      rows.push([`${skills} skills x 10 entries: load (manifests, checks, one warm VM)`, 'ms', loadMs.toFixed(1)]);
      rows.push([`  first call (compiles its handler) / second call`, 'µs', `${firstUs.toFixed(0)} / ${secondUs.toFixed(0)}`]);
      await engine.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

export function printSkillTable(rows) {
  printFigureTable('skills engine', 'luaskills', rows);
}
