// `npm run demo`: loads the example skills and calls a few entries.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { LuaSkillsEngine } from 'luaskills';

const skillsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'skills');
// A scratch runtime root: temp files and the skill config file go there.
const runtimeRoot = mkdtempSync(path.join(os.tmpdir(), 'luaskills-demo-'));
const engine = new LuaSkillsEngine({ runtimeRoot, pool: { minSize: 1, maxSize: 2 } });
engine.on('log', (record) => console.log(`  log ${record.line}`));
const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
console.log('loaded:', report.loaded.join(', '));
console.log('entries:', engine.listEntries().map((e) => e.canonical_name).join(', '));

const count = await engine.callSkill('text-tools-word-count', { text: 'real Lua 5.4\nin Node' });
console.log('\ntext-tools-word-count ->', count.content);

const lines = await engine.callSkill('text-tools-lines', { text: Array.from({ length: 25 }, (_, i) => `row ${i + 1}`).join('\n') });
console.log(`text-tools-lines -> ${lines.content_lines} lines, overflow_mode=${lines.overflow_mode}, template_hint=${lines.template_hint}`);

await engine.callSkill('note-pad-add', { text: 'buy milk' });
console.log('note-pad-add ->', (await engine.callSkill('note-pad-add', { text: 'call Ada' })).content);

const summary = await engine.callSkill('note-pad-summary', { text: 'one two three' }, { request_context: { request_id: 'demo-1' } });
console.log('note-pad-summary ->', summary.content);

// Files, a real process (wc -l), JSON written and read back, and the skill's config.
const scan = JSON.parse((await engine.callSkill('workspace-report-scan', { dir: path.join(skillsDir, 'text-tools', 'runtime') })).content);
console.log(`workspace-report-scan -> ${scan.files.map((f) => `${f.name}:${f.lines}`).join(' ')} total=${scan.total_lines}`);
console.log('workspace-report-last ->', path.basename((await engine.callSkill('workspace-report-last')).content));

console.log('\nrunLua ->', JSON.stringify(await engine.runLua('return { sum = args.a + args.b }', { a: 2, b: 40 })));
const help = await engine.renderSkillHelpDetail('text-tools', 'stats');
console.log('help text-tools/stats ->', help.content);

try {
  await engine.runLua('while true do end', {}, undefined, { timeoutMs: 100 });
} catch (err) {
  console.log(`\nrunaway code stopped: ${err.code}`);
}
await engine.close();
rmSync(runtimeRoot, { recursive: true, force: true });
