// luaexec's Markdown result, exactly as upstream renders it (render_runlua_success_markdown /
// render_runlua_error_markdown): sections joined by "\n", printed output only when something
// was printed, one fenced block per returned value (`text` for strings, pretty `json` otherwise).

/** One returned value as the Lua side rendered it. */
export interface RenderedValue {
  format: 'text' | 'json';
  content: string;
}

const taskLine = (task: string): string => (task.trim() === '' ? 'Execute Lua runtime code' : task.trim());

function printedSection(printed: readonly string[]): string[] {
  return printed.length === 0 ? [] : ['', '## Printed Output', '```text', printed.join('\n'), '```'];
}

export function renderSuccess(task: string, printed: readonly string[], values: readonly RenderedValue[]): string {
  const lines = ['# Runtime Execution Result', '', '## Task', taskLine(task), '', '## Status', 'SUCCESS', ...printedSection(printed), '', '## Returned Values'];
  values.forEach((value, i) => {
    lines.push(`${i + 1}. `, `\`\`\`${value.format}`, value.format === 'json' ? prettyJson(value.content) : value.content, '```');
    if (i + 1 < values.length) lines.push('');
  });
  return lines.join('\n');
}

export function renderFailure(task: string, printed: readonly string[], error: string): string {
  return ['# Runtime Execution Error', '', '## Task', taskLine(task), '', '## Status', 'FAILED', '', '## Error', '```text', error, '```', ...printedSection(printed)].join('\n');
}

/**
 * Re-indents compact JSON text as serde_json's to_string_pretty does (two spaces, `": "`, empty
 * containers stay `{}`/`[]`), token by token, so numbers keep every digit.
 */
export function prettyJson(compact: string): string {
  let out = '';
  let depth = 0;
  const newline = (): string => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < compact.length && compact[j] !== '"') j += compact[j] === '\\' ? 2 : 1;
      out += compact.slice(i, j + 1);
      i = j;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      if (compact[i + 1] === close) {
        out += c + close;
        i++;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') {
      out += `,${newline()}`;
    } else if (c === ':') {
      out += ': ';
    } else {
      out += c;
    }
  }
  return out;
}
