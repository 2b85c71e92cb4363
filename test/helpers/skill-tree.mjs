// Writes skill packages into a fresh runtime root for a test: { skillId: { entryName: luaSource } }.
// `extras` adds top-level skill.yaml fields per skill: { skillId: { sqlite: { enable: true } } }.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function writeSkills(skills, base = tmpdir(), extras = {}) {
  const root = mkdtempSync(path.join(base, 'luaskills-root-'));
  const skillsDir = path.join(root, 'skills');
  for (const [id, entries] of Object.entries(skills)) {
    const dir = path.join(skillsDir, id);
    mkdirSync(path.join(dir, 'runtime'), { recursive: true });
    const lines = [`name: ${id}`, 'version: 1.0.0'];
    for (const [key, value] of Object.entries(extras[id] ?? {})) lines.push(`${key}: ${JSON.stringify(value)}`);
    lines.push('entries:');
    for (const [name, source] of Object.entries(entries)) {
      const module = `${id}_${name}`.replace(/-/g, '_');
      lines.push(`  - name: ${name}`, `    description: ${name}`, `    lua_entry: runtime/${name}.lua`, `    lua_module: ${module}`);
      writeFileSync(path.join(dir, 'runtime', `${name}.lua`), source);
    }
    writeFileSync(path.join(dir, 'skill.yaml'), lines.join('\n') + '\n');
  }
  return { root, skillsDir };
}
