/**
 * Hostile config files: wrong types at every key, huge values, invalid UTF-8, deep nesting, path traversal in
 * remote_path, truncated and binary files. Each case is the exact bytes written as sync_config.json.
 * Checked: loadConfig never throws or hangs and never touches the file; an accepted config obeys the rules
 * (no '..' in remote_path, interval in range...) and survives a save/load round trip; a refused one names the key
 * with a message in both languages and is never overwritten by a save; `check-config` exits 0 or 2 with JSON.
 */
import { rng } from './util.js';

export interface FuzzCase {
  id: number;
  label: string;
  bytes: Buffer;
}

const SPEC = {
  enabled: false,
  protocol: 'webdav',
  polling_interval: 300,
  webdav: { url: '', username: '', password: '', remote_path: '/cordiax_sync/' },
  smb: { server: '', share_name: '', username: '', password: '', domain: '', remote_path: '/cordiax_sync/' },
  socketio: { server_url: 'http://localhost:5000', namespace: '/cordiax-sync/' },
};

const KEYS: string[][] = [
  ['enabled'], ['protocol'], ['polling_interval'],
  ['webdav'], ['webdav', 'url'], ['webdav', 'username'], ['webdav', 'password'], ['webdav', 'remote_path'], ['webdav', 'auth'], ['webdav', 'timeout_seconds'],
  ['smb'], ['smb', 'server'], ['smb', 'share_name'], ['smb', 'username'], ['smb', 'password'], ['smb', 'domain'], ['smb', 'remote_path'], ['smb', 'port'],
  ['socketio'], ['socketio', 'server_url'], ['socketio', 'namespace'], ['socketio', 'token'],
  ['database_path'], ['direction'], ['folder'], ['folder', 'path'], ['encryption'], ['encryption', 'enabled'], ['encryption', 'recipients'], ['encryption', 'mode'],
  ['device_name'], ['keep_versions'], ['language'], ['ui'], ['ui', 'port'],
];

const TRAVERSAL = [
  '../', '..', '/../../etc/', '/cordiax_sync/../../', '..\\..\\windows\\', '\\..\\', 'a/../../b', '/./../x', '....//....//',
  '%2e%2e/%2e%2e/', '\u002e\u002e/', '．．/', '/cordiax_sync/..', '..;/', 'a\u0000/../b', '/\u0000', '\u202e/cordiax/', '//server/share/../',
];

function huge(n: number, ch = 'A'): string {
  return ch.repeat(n);
}

const WRONG_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, 59, 60, 604800, 604801, 65536, '', ' ', '300', 'true', 'null',
  [], [1, 2], {}, { a: 1 }, [[[]]], huge(5000), huge(100_000), '\u0000', '\uffff', '\ud800', '😀'.repeat(2000), 'http://', 'ftp://x', 'javascript:alert(1)',
  'http://user:pass@host/', '/cordiax-sync/', 'folder', 'WEBDAV', 'smb', 'age1' + 'q'.repeat(58),
];

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function setPath(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object' || Array.isArray(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

/** Deterministic fixed cases first, then seeded random mutations up to `count`. */
export function fuzzCases(count: number, seed: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const add = (label: string, bytes: Buffer | string) => out.push({ id: out.length, label, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8') });
  const json = (v: unknown) => JSON.stringify(v, null, 2);

  // Fixed cases: the structure of the file itself.
  add('empty file', '');
  add('whitespace only', '  \n\t ');
  add('null', 'null');
  add('array root', '[]');
  add('string root', '"hola"');
  add('number root', '42');
  add('truncated JSON', json(SPEC).slice(0, 60));
  add('trailing garbage', json(SPEC) + '}}}garbage');
  add('BOM + spec', '\ufeff' + json(SPEC));
  add('double BOM', '\ufeff\ufeff' + json(SPEC));
  add('comments (not JSON)', '// comment\n' + json(SPEC));
  add('single quotes', json(SPEC).replace(/"/g, "'"));
  add('NaN literal', json(SPEC).replace('300', 'NaN'));
  add('Infinity literal', json(SPEC).replace('300', 'Infinity'));
  add('huge exponent', json(SPEC).replace('300', '1e999999'));
  add('duplicate keys, last wins', '{"polling_interval": 300, "polling_interval": 5}');
  add('__proto__ key', '{"__proto__": {"polling_interval": 5, "enabled": true}, "protocol": "folder"}');
  add('constructor key', '{"constructor": {"prototype": {"x": 1}}}');
  add('invalid UTF-8 byte 0xff', Buffer.concat([Buffer.from('{"webdav": {"password": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]));
  add('overlong UTF-8', Buffer.concat([Buffer.from('{"device_name": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]));
  add('truncated UTF-8 sequence', Buffer.concat([Buffer.from('{"smb": {"domain": "'), Buffer.from([0xe2, 0x82]), Buffer.from('"}}')]));
  add('invalid UTF-8 next to a real U+FFFD', Buffer.concat([Buffer.from('{"webdav": {"username": "\ufffd", "password": "clave'), Buffer.from([0xff]), Buffer.from('"}}')]));
  add('UTF-16LE file', Buffer.from(json(SPEC), 'utf16le'));
  add('lone surrogate escape', '{"webdav": {"password": "\\ud800"}}');
  add('NUL bytes', Buffer.concat([Buffer.from(json(SPEC)), Buffer.alloc(64)]));
  add('binary noise', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) % 256)));
  add('deep nesting 100k arrays (root)', '['.repeat(100_000) + ']'.repeat(100_000));
  add('deep nesting 100k objects under an unknown key', '{"extra": ' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) + '}');
  add('deep nesting 100k arrays under webdav', '{"webdav": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
  add('deep nesting valid file + 5k-deep unknown key', json(SPEC).replace(/}\s*$/, `, "extra": ${'['.repeat(5000)}${']'.repeat(5000)}}`));
  add('deep nesting valid file + 50k-deep unknown key', json(SPEC).replace(/}\s*$/, `, "extra": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`));
  add('file over 1 MiB', json({ ...SPEC, extra: huge(1_100_000) }));
  add('1 MiB string in password', json({ ...SPEC, webdav: { ...SPEC.webdav, password: huge(1_000_000) } }));
  add('100k keys', '{' + Array.from({ length: 60_000 }, (_, i) => `"k${i}":${i}`).join(',') + '}');
  for (const t of TRAVERSAL) {
    add(`webdav.remote_path traversal ${JSON.stringify(t)}`, json({ ...SPEC, webdav: { ...SPEC.webdav, remote_path: t } }));
    add(`smb.remote_path traversal ${JSON.stringify(t)}`, json({ ...SPEC, protocol: 'smb', smb: { ...SPEC.smb, remote_path: t } }));
  }
  add('folder.path relative traversal', json({ ...SPEC, protocol: 'folder', folder: { path: '../../etc' } }));
  add('database_path traversal', json({ ...SPEC, database_path: '../../../../etc/passwd' }));

  // Random mutations of the spec file: one to three keys get a wrong/huge/odd value.
  const r = rng(seed);
  while (out.length < count) {
    const cfg = clone(SPEC) as Record<string, unknown>;
    const n = 1 + Math.floor(r() * 3);
    const labels: string[] = [];
    for (let i = 0; i < n; i++) {
      const keys = KEYS[Math.floor(r() * KEYS.length)]!;
      const pick = r();
      let value: unknown;
      if (pick < 0.6) value = WRONG_VALUES[Math.floor(r() * WRONG_VALUES.length)];
      else if (pick < 0.8) value = TRAVERSAL[Math.floor(r() * TRAVERSAL.length)];
      else if (pick < 0.9) value = Math.floor(r() * 2 ** 31) * (r() < 0.5 ? -1 : 1);
      else value = { nested: WRONG_VALUES[Math.floor(r() * WRONG_VALUES.length)] };
      setPath(cfg, keys, value);
      labels.push(`${keys.join('.')}=${JSON.stringify(value)?.slice(0, 40)}`);
    }
    let text = json(cfg);
    const mangle = r();
    if (mangle < 0.05) text = text.slice(0, Math.floor(r() * text.length));
    else if (mangle < 0.08) {
      const pos = Math.floor(r() * text.length);
      const b = Buffer.from(text);
      b[Math.min(pos, b.length - 1)] = 0x80 + Math.floor(r() * 0x7f);
      out.push({ id: out.length, label: `${labels.join(', ')} + one invalid byte`, bytes: b });
      continue;
    }
    add(labels.join(', '), text);
  }
  return out;
}
