// Writes skill packages into a fresh runtime root for a test: { skillId: { entryName: luaSource } }.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function writeSkills(skills, base = tmpdir()) {
  const root = mkdtempSync(path.join(base, 'luaskills-root-'));
  const skillsDir = path.join(root, 'skills');
  for (const [id, entries] of Object.entries(skills)) {
    const dir = path.join(skillsDir, id);
    mkdirSync(path.join(dir, 'runtime'), { recursive: true });
    const lines = [`name: ${id}`, 'version: 1.0.0', 'entries:'];
    for (const [name, source] of Object.entries(entries)) {
      const module = `${id}_${name}`.replace(/-/g, '_');
      lines.push(`  - name: ${name}`, `    description: ${name}`, `    lua_entry: runtime/${name}.lua`, `    lua_module: ${module}`);
      writeFileSync(path.join(dir, 'runtime', `${name}.lua`), source);
    }
    writeFileSync(path.join(dir, 'skill.yaml'), lines.join('\n') + '\n');
  }
  return { root, skillsDir };
}
