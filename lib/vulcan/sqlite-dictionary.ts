// The custom-word dictionary of the default SQLite provider (table _vulcan_dict): the words the
// "jieba" tokenizer keeps whole, the actions that edit it, and tokenize_text, which uses it.
import { sqliteOperation, sqliteWork, type Database } from './sqlite-driver.js';
import { optionalUint, requireString, type Input } from './sqlite-params.js';
import { cjkTokens, ftsQuery, normalizeText, plainTokens, tokenizerMode, type TokenizerMode } from './sqlite-text.js';

const DICT_TABLE = '_vulcan_dict';

/** Creates the dictionary table when it is missing. */
export function ensureDictionary(db: Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${DICT_TABLE} (
    word TEXT PRIMARY KEY,
    weight INTEGER NOT NULL DEFAULT 1,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
}

function customWords(db: Database): { word: string; weight: number }[] {
  ensureDictionary(db);
  return db
    .prepare(`SELECT word, weight FROM ${DICT_TABLE} WHERE enabled = 1 ORDER BY word ASC`)
    .all()
    .map((r) => ({ word: String(r.word), weight: Math.max(1, Number(r.weight)) }));
}

/** The tokens of `text` under `mode`; "jieba" keeps the dictionary's words whole, longest first. */
export function textTokens(db: Database, mode: TokenizerMode, text: string): string[] {
  if (mode === 'none') return plainTokens(text);
  const words = customWords(db)
    .map((w) => w.word)
    .sort((a, b) => [...b].length - [...a].length);
  return cjkTokens(text, words);
}

export function tokenizeText(db: Database, input: Input) {
  const mode = tokenizerMode(input);
  const text = requireString(input, 'text');
  const searchMode = input.search_mode === true;
  return sqliteWork(() => {
    const normalized = normalizeText(text);
    const tokens = textTokens(db, mode, normalized);
    return { success: true, tokenizer_mode: mode, normalized_text: normalized, fts_query: ftsQuery(tokens, searchMode, mode), tokens };
  });
}

export function upsertCustomWord(db: Database, input: Input) {
  const word = requireString(input, 'word');
  const weight = optionalUint(input, 'weight', 1);
  return sqliteOperation('upsert_custom_word', () => {
    ensureDictionary(db);
    const info = db
      .prepare(
        `INSERT INTO ${DICT_TABLE} (word, weight, enabled, created_at, updated_at)
         VALUES (?, ?, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT(word) DO UPDATE SET weight = excluded.weight, enabled = 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
      )
      .run(word.trim(), BigInt(weight));
    return { success: true, affected_rows: info.changes, word, weight };
  });
}

export function removeCustomWord(db: Database, input: Input) {
  const word = requireString(input, 'word');
  return sqliteOperation('remove_custom_word', () => {
    ensureDictionary(db);
    const info = db.prepare(`DELETE FROM ${DICT_TABLE} WHERE word = ?`).run(word.trim());
    return { success: true, affected_rows: info.changes, word };
  });
}

export function listCustomWords(db: Database) {
  return sqliteOperation('list_custom_words', () => {
    const words = customWords(db);
    return { success: true, total: words.length, words };
  });
}
