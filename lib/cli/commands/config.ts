// The skill config stores: `config list [skill]`, `get`, `set`, `delete`, `describe <skill>`,
// `validate <skill>`, `refresh [scope]`, `events [--after n] [--wait ms]`.
import type { Command } from 'commander';

import { withEngine } from '../context.js';
import { readTextArg } from '../input.js';
import { formatTable, printResult } from '../output.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('read and write the skill config stores (<runtime root>/config/{skills,system-skills}/config.json)');

  config
    .command('list')
    .description('every stored value, or one skill\'s')
    .argument('[skill]', 'skill id')
    .action(async (skill: string | undefined, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const entries = await engine.config.list(skill);
        printResult(json, entries, () =>
          entries.length === 0 ? 'no config values' : formatTable(['STORE', 'SKILL', 'KEY', 'VALUE'], entries.map((e) => [e.store_scope, e.skill_id, e.key, e.value])),
        );
      });
    });

  config
    .command('get')
    .description('one value (exit 1 with code config_not_found when it is not set)')
    .argument('<skill>', 'skill id')
    .argument('<key>', 'key')
    .action(async (skill: string, key: string, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await engine.config.get(skill, key);
        if (!result.found && !json) {
          process.stderr.write(`error[config_not_found]: skill '${result.skill_id}' has no config key '${result.key}'\n`);
          process.exitCode = 1;
          return;
        }
        if (!result.found) process.exitCode = 1;
        printResult(json, result, () => String(result.value ?? ''));
      });
    });

  config
    .command('set')
    .description('store a value (text, @file or - for stdin)')
    .argument('<skill>', 'skill id')
    .argument('<key>', 'key')
    .argument('<value>', 'value, @file or -')
    .action(async (skill: string, key: string, value: string, _o: unknown, cmd: Command) => {
      const text = await readTextArg(value, 'config value');
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await engine.config.set(skill, key, text);
        printResult(json, result, () => `${result.skill_id}.${result.key} set`);
      });
    });

  config
    .command('delete')
    .description('remove a value')
    .argument('<skill>', 'skill id')
    .argument('<key>', 'key')
    .action(async (skill: string, key: string, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await engine.config.delete(skill, key);
        printResult(json, result, () => `${result.skill_id}.${result.key} ${result.deleted ? 'deleted' : 'was not set'}`);
      });
    });

  config
    .command('describe')
    .description("a skill's stored keys, whether it is loaded, and its declared config (config: in skill.yaml)")
    .argument('<skill>', 'skill id')
    .action(async (skill: string, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const values = await engine.config.values(skill);
        const loaded = engine.listSkillHelp().find((h) => h.skill_id === skill);
        // Sensitive values are masked by describe and left out of values().
        const declared = loaded ? await engine.config.describe(skill, { includeValues: true }) : null;
        const description = {
          skill_id: skill,
          loaded: loaded !== undefined,
          root_name: loaded?.root_name ?? null,
          store_scope: engine.config.scopeOf(skill),
          config_file: engine.config.storePath(engine.config.scopeOf(skill)),
          keys: Object.keys(values).sort(),
          values,
          declared: declared?.declared ? declared : null,
          note: declared?.declared
            ? null
            : loaded
              ? 'the skill declares no config: any key, string values'
              : 'the skill is not loaded: these are the stored keys',
        };
        const item = (i: NonNullable<typeof declared>['items'][number]): string =>
          `  ${i.key} (${i.type}${i.required ? ', required' : ''}${i.sensitive ? ', sensitive' : ''}): ${i.state}` +
          (i.masked ? ' [masked]' : i.value !== undefined ? ` = ${JSON.stringify(i.value)}` : '');
        printResult(json, description, () =>
          [
            `skill:  ${skill}${loaded ? ` (loaded from ${loaded.root_name})` : ' (not loaded)'}`,
            `file:   ${description.config_file}`,
            ...(description.declared
              ? [`config: ${description.declared.complete ? 'complete' : 'incomplete'} (revision ${description.declared.revision})`, ...description.declared.items.map(item)]
              : [`keys:   ${description.keys.length === 0 ? '(none)' : description.keys.join(', ')}`, `note:   ${description.note}`]),
          ].join('\n'),
        );
      });
    });

  config
    .command('validate')
    .description("whether a loaded skill's declared config is complete (exit 1 when it is not)")
    .argument('<skill>', 'skill id')
    .action(async (skill: string, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const v = await engine.config.validate(skill);
        if (!v.complete) process.exitCode = 1;
        printResult(json, v, () =>
          [
            `${v.skill_id}: ${v.complete ? 'complete' : 'incomplete'} (${v.store_scope} revision ${v.revision})`,
            ...v.missing.map((k) => `  missing: ${k}`),
            ...v.invalid.map((i) => `  invalid: ${i.key}: ${i.message}`),
            ...v.business_issues.map((i) => `  issue:   ${i.key ? `${i.key}: ` : ''}${i.code}: ${i.message}`),
            ...v.orphaned.map((k) => `  orphaned: ${k}`),
          ].join('\n'),
        );
      });
    });

  config
    .command('refresh')
    .description('re-read the store files (both, or one scope) and report whether they changed')
    .argument('[scope]', 'skills or system-skills')
    .action(async (scope: string | undefined, _o: unknown, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await engine.config.refresh(scope as 'skills' | 'system-skills' | undefined);
        printResult(json, result, () => result.map((r) => `${r.store_scope}: revision ${r.revision}${r.changed ? ' (changed)' : ''}`).join('\n'));
      });
    });

  config
    .command('events')
    .description('config change events after a sequence; --wait blocks until one arrives (or the time is up)')
    .option('--after <sequence>', 'only events after this sequence')
    .option('--wait <ms>', 'wait up to this long for an event (0: do not wait)', '0')
    .option('--limit <n>', 'at most this many events', '100')
    .action(async (o: { after?: string; wait: string; limit: string }, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const batch = await engine.config.waitForEvents(o.after, { timeoutMs: Number(o.wait), limit: Number(o.limit) });
        printResult(json, batch, () =>
          batch.events.length === 0
            ? `no events (next sequence ${batch.next_sequence})`
            : batch.events.map((e) => `${e.sequence} ${e.type} ${e.store_scope}${e.skill_id ? ` ${e.skill_id}` : ''} r${e.revision}${e.changed_keys ? ` [${e.changed_keys.join(', ')}]` : ''} (${e.source})`).join('\n'),
        );
      });
    });
}
