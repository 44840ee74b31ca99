/**
 * Loading and saving `$CORDIAX_HOME/sync_config.json`.
 * - Malformed JSON is reported with line and column; an invalid file is never overwritten or "repaired".
 * - Writes are atomic (temp file in the same folder, fsync, rename, fsync of the folder); file 0600, folder 0700.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SyncError, type Text } from '../errors.js';
import { cordiaxHome, parseConfig, defaultConfig, type ConfigProblem, type SyncConfig } from './schema.js';

const CONFIG_FILE_NAME = 'sync_config.json';
/** Larger files are refused before parsing (a config is a few hundred bytes). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function configPath(home = cordiaxHome()): string {
  return path.join(home, CONFIG_FILE_NAME);
}

type LoadResult =
  | { status: 'ok'; config: SyncConfig; raw: Record<string, unknown> }
  | { status: 'missing'; config: SyncConfig }
  | { status: 'invalid'; problems: ConfigProblem[] };

/** Converts a character offset in `text` into 1-based line and column. */
function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/** Parses JSON text, reporting syntax errors with line and column in both languages. */
function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; problem: ConfigProblem } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const m = (err as Error).message;
    let pos: { line: number; column: number } | undefined;
    const lc = m.match(/line (\d+) column (\d+)/);
    const p = m.match(/position (\d+)/);
    if (lc) pos = { line: Number(lc[1]), column: Number(lc[2]) };
    else if (p) pos = lineCol(text, Number(p[1]));
    else if (/Unexpected end/i.test(m)) pos = lineCol(text, text.length);
    const where = pos ? msg('config.line_column', { line: pos.line, column: pos.column }) : { es: '', en: '' };
    return {
      ok: false,
      problem: {
        key: '(JSON)',
        severity: 'error',
        text: msg('config.malformed_json', { where, reason: m }),
      },
    };
  }
}

export async function loadConfig(file = configPath()): Promise<LoadResult> {
  let buf: Buffer;
  try {
    const st = await fsp.stat(file);
    if (st.size > MAX_CONFIG_BYTES) {
      return {
        status: 'invalid',
        problems: [
          {
            key: '(archivo)',
            severity: 'error',
            text: msg('config.file_too_large_bytes', { size: st.size, MAX_CONFIG_BYTES }),
          },
        ],
      };
    }
    buf = await fsp.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', config: defaultConfig() };
    throw new SyncError('PERMISSION_DENIED', msg('config.cannot_read', { file, message: (err as Error).message }), {
      cause: err,
    });
  }
  // Invalid UTF-8 would silently become U+FFFD: refuse it instead, so a damaged file is not re-saved "repaired".
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buf);
  if (text.includes('\uFFFD') && !buf.includes(Buffer.from('\uFFFD'))) {
    return {
      status: 'invalid',
      problems: [
        {
          key: '(archivo)',
          severity: 'error',
          text: msg('config.file_not_valid_utf'),
        },
      ],
    };
  }
  const parsed = parseJsonText(text.replace(/^\uFEFF/, ''));
  if (!parsed.ok) return { status: 'invalid', problems: [parsed.problem] };
  const r = parseConfig(parsed.value);
  if (!r.ok) return { status: 'invalid', problems: r.problems };
  return { status: 'ok', config: r.config, raw: parsed.value as Record<string, unknown> };
}

/** Like loadConfig, but throws CONFIG_INVALID / CONFIG_PARSE with every problem listed. */
/**
 * `file`: the config file, or '(formulario)' for values typed in the form (then the hint points at its fields).
 * `hint`: for values about to be saved, never the file itself ("Corrija el archivo a mano" would be wrong there).
 */
export function configError(file: string, problems: ConfigProblem[], hint?: Text): SyncError {
  const es = problems.map((p) => `  - ${p.key}: ${p.text.es}`).join('\n');
  const en = problems.map((p) => `  - ${p.key}: ${p.text.en}`).join('\n');
  const code = problems.some((p) => p.key === '(JSON)') ? 'CONFIG_PARSE' : 'CONFIG_INVALID';
  return new SyncError(code, msg('config.configuration_not_valid', { file, detail: { es, en } }), {
    hint: hint ?? (file === FORM_SOURCE ? msg('truth.fix_marked_fields') : msg('config.fix_file_hand_not_modified')),
    details: { problems },
  });
}

/** The "file" name of values that come from the web form, not from sync_config.json. */
export const FORM_SOURCE = '(formulario)';

export { writeFileAtomic } from '../util/fs.js';
import { writeFileAtomic } from '../util/fs.js';
import { msg } from '../messages/index.js';

/**
 * Saves the config. Keeps unknown keys from the existing file (and the key order of the spec's shape), validates
 * before writing, and refuses to overwrite an existing file that is itself invalid.
 */
export async function saveConfig(config: unknown, file = configPath()): Promise<SyncConfig> {
  const r = parseConfig(config);
  if (!r.ok) throw configError(file, r.problems, msg('truth.values_not_saved'));
  const existing = await loadConfig(file);
  if (existing.status === 'invalid') {
    throw new SyncError('CONFIG_INVALID', msg('config.current_file_invalid_not_overwritten', { file }), {
      details: { problems: existing.problems },
    });
  }
  const home = path.dirname(file);
  await fsp.mkdir(home, { recursive: true, mode: 0o700 });
  await fsp.chmod(home, 0o700).catch(() => {});
  await writeFileAtomic(file, `${JSON.stringify(r.config, null, 4)}\n`, 0o600);
  return r.config;
}

// ---- config get / set KEY VALUE (dotted keys), used by the CLI and scripts ----

export function getKey(obj: Record<string, unknown>, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Returns a copy of obj with key set. VALUE text is parsed as JSON when it is a number/boolean/array/object literal (unless raw). */
export function setKey(
  obj: Record<string, unknown>,
  key: string,
  valueText: string,
  opts: { raw?: boolean } = {},
): Record<string, unknown> {
  if (
    !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(key) ||
    /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(key)
  ) {
    throw new SyncError('CONFIG_INVALID', msg('config.invalid_key', { key }));
  }
  let value: unknown = valueText;
  if (!opts.raw && /^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(valueText.trim())) {
    try {
      value = JSON.parse(valueText);
    } catch {
      value = valueText;
    }
  }
  const copy = structuredClone(obj);
  const parts = key.split('.');
  let cur: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    if (cur[part] === undefined || cur[part] === null || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
  return copy;
}
