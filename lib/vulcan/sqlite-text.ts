// Full-text tokenization of the default SQLite provider: an offline stand-in for upstream's jieba
// segmenter (CJK text split into characters plus the database's custom words), and the FTS5
// query and index-name helpers.
import { DatabaseError } from './database-provider.js';
import type { Input } from './sqlite-params.js';

// ---- tokenizer (offline stand-in for upstream's jieba) ----------------------------------------

export type TokenizerMode = 'none' | 'jieba';

export function tokenizerMode(input: Input): TokenizerMode {
  const raw = input.tokenizer_mode ?? input.mode;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === '' || text === 'none') return 'none';
  if (text === 'jieba') return 'jieba';
  throw new DatabaseError('invalid_input', `unsupported sqlite tokenizer mode: ${text}`);
}

export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

export function normalizeText(text: string): string {
  return text.split(/\s+/u).filter(Boolean).join(' ');
}

export function plainTokens(text: string): string[] {
  if (text === '') return [];
  const parts: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (/\s/u.test(ch) || ASCII_PUNCT.test(ch)) {
      if (cur) parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts.length > 0 ? parts : [text];
}

// "jieba" mode without jieba: CJK runs are cut by forward maximum matching against the custom
// words of the database (longest first), other CJK characters become one token each; text
// outside CJK runs is cut as in "none" mode.
export function cjkTokens(text: string, words: string[]): string[] {
  const tokens: string[] = [];
  const chars = [...text];
  let i = 0;
  let plain = '';
  const flushPlain = (): void => {
    if (plain) tokens.push(...plainTokens(plain).filter((t) => t.trim() !== ''));
    plain = '';
  };
  while (i < chars.length) {
    const rest = chars.slice(i).join('');
    const word = words.find((w) => rest.startsWith(w));
    if (word !== undefined && (CJK.test(word) || CJK.test(chars[i] as string))) {
      flushPlain();
      tokens.push(word);
      i += [...word].length;
    } else if (CJK.test(chars[i] as string)) {
      flushPlain();
      tokens.push(chars[i] as string);
      i++;
    } else {
      plain += chars[i];
      i++;
    }
  }
  flushPlain();
  return tokens;
}

// The FTS index of a "jieba" index holds CJK text one character per token (spaces between
// them), so a phrase of characters matches any substring; the spaces are taken out again on
// the way back.
export function spaceCjk(text: string): string {
  let out = '';
  let prevCjk = false;
  for (const ch of text) {
    const cjk = CJK.test(ch);
    if ((cjk || prevCjk) && out !== '' && !/\s$/u.test(out) && !/\s/u.test(ch)) out += ' ';
    out += ch;
    prevCjk = cjk;
  }
  return out;
}

const CJK_CLASS = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]';
const UNSPACE = new RegExp(`(?<=${CJK_CLASS}(?:</?mark>)?) (?=(?:</?mark>)?${CJK_CLASS})|(?<=${CJK_CLASS}(?:</?mark>)?) (?=(?:</?mark>)?[^\\s])|(?<=[^\\s](?:</?mark>)?) (?=(?:</?mark>)?${CJK_CLASS})`, 'gu');
export function unspaceCjk(text: string): string {
  return text.replace(UNSPACE, '');
}

export function ftsQuery(tokens: string[], searchMode: boolean, mode: TokenizerMode): string {
  return tokens
    .filter((t) => t !== '')
    .map((t) => `"${(mode === 'jieba' ? spaceCjk(t) : t).replace(/"/g, '""')}"`)
    .join(searchMode ? ' OR ' : ' ');
}

// ---- FTS helpers -----------------------------------------------------------------------------

export function indexName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new Error('index_name must not be empty');
  if (!/^[A-Za-z_]/.test(name)) throw new Error('index_name must start with [A-Za-z_]');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error('index_name only supports [A-Za-z0-9_]');
  if (name.startsWith('_vulcan_')) throw new Error('reserved index_name prefix');
  return name;
}

export const quoteId = (id: string): string => `"${id.replace(/"/g, '""')}"`;
