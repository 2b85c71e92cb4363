// `npm run demo`: loads the example skills and calls a few entries.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { LuaSkillsEngine } from 'luaskills';

const skillsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'skills');
const engine = new LuaSkillsEngine({ pool: { minSize: 1, maxSize: 2 } });
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

console.log('\nrunLua ->', JSON.stringify(await engine.runLua('return { sum = args.a + args.b }', { a: 2, b: 40 })));
const help = await engine.renderSkillHelpDetail('text-tools', 'stats');
console.log('help text-tools/stats ->', help.content);

try {
  await engine.runLua('while true do end', {}, undefined, { timeoutMs: 100 });
} catch (err) {
  console.log(`\nrunaway code stopped: ${err.code}`);
}
await engine.close();
