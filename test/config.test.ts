import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, statSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseConfig, completenessProblems, defaultConfig } from '../src/config/schema.js';
import { loadConfig, saveConfig, writeFileAtomic, setKey } from '../src/config/store.js';
import { SyncService } from '../src/service.js';
import { tmpDir } from './helpers/system.js';

// The file exactly as the spec shows it.
const SPEC_FILE = `{
    "enabled": false,
    "protocol": "webdav",
    "polling_interval": 300,
    "webdav": {
        "url": "",
        "username": "",
        "password": "",
        "remote_path": "/cordiax_sync/"
    },
    "smb": {
        "server": "",
        "share_name": "",
        "username": "",
        "password": "",
        "domain": "",
        "remote_path": "/cordiax_sync/"
    },
    "socketio": {
        "server_url": "http://localhost:5000",
        "namespace": "/cordiax-sync/"
    }
}`;

test('the spec file loads unchanged and our defaults equal it', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'sync_config.json');
  writeFileSync(f, SPEC_FILE);
  const r = await loadConfig(f);
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.status === 'ok' && r.config, JSON.parse(SPEC_FILE));
  assert.deepEqual(defaultConfig(), JSON.parse(SPEC_FILE));
});

test('a file we write has the spec shape (plus only what was set) and keeps unknown keys', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'home', 'sync_config.json');
  const cfg = { ...JSON.parse(SPEC_FILE), future_key: { a: 1 }, protocol: 'smb' };
  cfg.smb.server = '192.168.1.10';
  await saveConfig(cfg, f);
  const written = JSON.parse(readFileSync(f, 'utf8'));
  assert.deepEqual(Object.keys(written).slice(0, 6), [
    'enabled',
    'protocol',
    'polling_interval',
    'webdav',
    'smb',
    'socketio',
  ]);
  assert.deepEqual(written.future_key, { a: 1 });
  assert.equal(written.smb.server, '192.168.1.10');
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.equal(statSync(path.dirname(f)).mode & 0o777, 0o700);
});

const cases: Array<[string, unknown, string, RegExp]> = [
  ['interval below 60', { polling_interval: 59 }, 'polling_interval', /al menos 60/],
  ['interval not a number', { polling_interval: '300' }, 'polling_interval', /número/],
  ['interval fractional', { polling_interval: 60.5 }, 'polling_interval', /entero/],
  ['interval huge', { polling_interval: 1e12 }, 'polling_interval', /no puede superar/],
  ['unknown protocol', { protocol: 'ftp' }, 'protocol', /protocolo desconocido/],
  ['url not http', { webdav: { url: 'ftp://x/y' } }, 'webdav.url', /http:\/\/ o https:\/\//],
  ['socketio url not http', { socketio: { server_url: 'localhost:5000' } }, 'socketio.server_url', /http/],
  ['namespace without slash', { socketio: { namespace: 'cordiax-sync' } }, 'socketio.namespace', /empezar por '\/'/],
  ['path traversal', { smb: { remote_path: '/a/../../etc' } }, 'smb.remote_path', /'\.\.'/],
  ['control chars in path', { webdav: { remote_path: '/a\u0000b' } }, 'webdav.remote_path', /control/],
  ['enabled not boolean', { enabled: 'yes' }, 'enabled', /true o false/],
  ['direction unknown', { direction: 'sideways' }, 'direction', /bidirectional/],
  ['keep_versions zero', { keep_versions: 0 }, 'keep_versions', /al menos 1/],
  [
    'bad age recipient',
    { encryption: { enabled: true, recipients: ['age1nope'] } },
    'encryption.recipients.0',
    /clave pública age/,
  ],
  ['block of wrong type', { webdav: 'x' }, 'webdav', /tipo no válido|objeto|object/],
  ['password of wrong type', { smb: { password: 1234 } }, 'smb.password', /texto/],
];
for (const [name, patch, key, re] of cases) {
  test(`validation: ${name} names ${key}`, () => {
    const r = parseConfig({ ...JSON.parse(SPEC_FILE), ...(patch as object) });
    assert.equal(r.ok, false);
    const p = !r.ok && r.problems.find((x) => x.key === key);
    assert.ok(p, `expected a problem for ${key}, got ${JSON.stringify(!r.ok && r.problems)}`);
    assert.match(p.text.es, re);
    assert.ok(p.text.en.length > 0 && p.text.en !== p.text.es);
  });
}

test('completeness: an empty server / url is named for the selected protocol only', () => {
  const cfg = defaultConfig();
  assert.deepEqual(
    completenessProblems(cfg).map((p) => p.key),
    ['webdav.url', 'webdav.username'],
  );
  assert.deepEqual(
    completenessProblems({ ...cfg, protocol: 'smb' }).map((p) => p.key),
    ['smb.server', 'smb.share_name', 'smb.username'],
  );
  assert.deepEqual(completenessProblems({ ...cfg, protocol: 'socketio' }), []);
});

test('malformed JSON reports line and column and the file is never overwritten', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'sync_config.json');
  const bad = '{\n  "enabled": false,\n  "protocol": "webdav",,\n}\n';
  writeFileSync(f, bad);
  const r = await loadConfig(f);
  assert.equal(r.status, 'invalid');
  const msg = r.status === 'invalid' ? r.problems[0]!.text.es : '';
  assert.match(msg, /línea 3, columna \d+/);
  await assert.rejects(saveConfig(defaultConfig(), f), /no es válido y no se sobrescribe/);
  assert.equal(readFileSync(f, 'utf8'), bad);
  // The service loads it as invalid and does not touch it either.
  const svc = await SyncService.open({ home: dir });
  assert.equal(svc.configState, 'invalid');
  await assert.rejects(svc.syncNow(), (e: Error & { code?: string }) => e.code === 'CONFIG_PARSE');
  await svc.close();
  assert.equal(readFileSync(f, 'utf8'), bad);
});

test('invalid UTF-8 is refused, not repaired', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'sync_config.json');
  const bytes = Buffer.concat([
    Buffer.from('{"webdav": {"username": "'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"}}'),
  ]);
  writeFileSync(f, bytes);
  const r = await loadConfig(f);
  assert.equal(r.status, 'invalid');
  assert.deepEqual(readFileSync(f), bytes);
});

test('atomic write: a crash mid-write leaves the old file', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'sync_config.json');
  writeFileSync(f, SPEC_FILE);
  // A child writes through writeFileAtomic and is killed in the middle (after the temp file is created).
  const script = `
    import { writeFileAtomic } from ${JSON.stringify(path.resolve('src/config/store.ts'))};
    import fs from 'node:fs';
    const orig = fs.promises.open;
    fs.promises.open = async (...a) => { const fh = await orig(...a); const w = fh.writeFile.bind(fh);
      fh.writeFile = async (d) => { await w(String(d).slice(0, 10)); process.kill(process.pid, 'SIGKILL'); }; return fh; };
    await writeFileAtomic(${JSON.stringify(f)}, '{"enabled": true, "protocol": "smb"}');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  assert.equal(readFileSync(f, 'utf8'), SPEC_FILE);
  // A completed atomic write replaces it whole.
  await writeFileAtomic(f, '{"enabled": true}');
  assert.equal(readFileSync(f, 'utf8'), '{"enabled": true}');
  assert.equal(statSync(f).mode & 0o777, 0o600);
});

test('setKey parses numbers and booleans and refuses prototype keys', () => {
  const o = setKey({}, 'polling_interval', '120');
  assert.equal(o.polling_interval, 120);
  assert.equal(setKey({}, 'enabled', 'true').enabled, true);
  assert.deepEqual(setKey({}, 'webdav.url', 'https://x').webdav, { url: 'https://x' });
  assert.throws(() => setKey({}, '__proto__.x', '1'));
});

test('the UI-style save keeps a stored password when the field comes back empty', async () => {
  const dir = tmpDir();
  const svc = await SyncService.open({ home: dir });
  const cfg = structuredClone(svc.config()) as Record<string, Record<string, unknown>>;
  cfg.webdav.password = 's3cr3t-Pa55';
  await svc.saveConfig(cfg);
  const pub = svc.publicConfig() as Record<string, Record<string, unknown>>;
  assert.equal(pub.webdav.password, '');
  assert.equal(pub.webdav.password_set, true);
  await svc.saveConfig(pub);
  assert.equal(
    JSON.parse(await fsp.readFile(path.join(dir, 'sync_config.json'), 'utf8')).webdav.password,
    's3cr3t-Pa55',
  );
  await svc.close();
});
