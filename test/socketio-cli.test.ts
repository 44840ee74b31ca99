/**
 * `cordiax-sync server` as a real process (the command as registered with commander), and TLS: a server given a
 * certificate speaks only HTTPS, and a client that cannot verify it gets a clear TLS error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSyncServer } from '../src/server/server.js';
import type { SyncError } from '../src/errors.js';
import { endpoint, writeTokens } from './helpers/socketio.js';
import { freePort, killGroup, makeTestDb, sh, sha256File, startDaemon, tmpDir } from './helpers/system.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('cordiax-sync server: starts with a tokens file, serves a client with the token, stops cleanly on SIGTERM', {
  timeout: 60_000,
}, async () => {
  const dir = tmpDir();
  const token = `cli-${randomBytes(16).toString('hex')}`;
  const tokensFile = writeTokens(dir, [token]);
  const storage = path.join(dir, 'almacen');
  const script = path.join(here, 'helpers/socketio-cli-child.ts');
  const port = await freePort();
  const args = [
    '--import',
    'tsx',
    script,
    'server',
    '--port',
    String(port),
    '--storage',
    storage,
    '--tokens-file',
    tokensFile,
    '--keep-versions',
    '3',
  ];
  assert.ok(!args.join(' ').includes(token));
  const proc = startDaemon(process.execPath, args, { cwd: path.join(here, '..') });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  try {
    while (!out.includes('/cordiax-sync/')) {
      if (proc.exitCode !== null) assert.fail(`server exited: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(out.trim(), `http://127.0.0.1:${port}/cordiax-sync/`);
    const tokenFile = path.join(dir, 'client-token');
    writeFileSync(tokenFile, token, { mode: 0o600 });
    const { ep } = endpoint(`http://127.0.0.1:${port}`, { token_file: tokenFile, database_id: 'cli' });
    try {
      const db = makeTestDb(path.join(dir, 'a.db'), 50);
      const r = await ep.push(db, {
        sha256: await sha256File(db),
        size: statSync(db).size,
        encrypted: false,
        device: 'equipo-a',
        baseGeneration: null,
      });
      assert.equal(await sha256File(path.join(storage, 'cli', r.manifest!.file)), await sha256File(db));
      assert.equal(statSync(storage).mode & 0o777, 0o700);
    } finally {
      await ep.close();
    }
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(err, /Servidor de sincronización|Sync server/);
    assert.ok(!err.includes(token) && !out.includes(token));
  } finally {
    killGroup(proc);
  }
});

test('TLS: the server speaks HTTPS with the given certificate; a client that cannot verify it gets a TLS error', {
  timeout: 60_000,
}, async () => {
  const dir = tmpDir();
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    '/CN=127.0.0.1',
    '-days',
    '1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir: tmpDir(), tls: { cert, key } });
  try {
    assert.match(server.url, /^https:/);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${server.url}/socket.io/?EIO=4&transport=polling`, { ca: readFileSync(cert) }, (res) => {
          let s = '';
          res.on('data', (d: Buffer) => (s += d.toString()));
          res.on('end', () => resolve(s));
        })
        .on('error', reject);
    });
    assert.match(body, /"sid"/);
    const { ep } = endpoint(server.url, {}, { connectTimeoutMs: 3000, helloTimeoutMs: 500 });
    try {
      await assert.rejects(ep.open(), (e: SyncError) => e.code === 'TLS' && /certificado/.test(e.text.es));
    } finally {
      await ep.close();
    }
  } finally {
    await server.close();
  }
});
