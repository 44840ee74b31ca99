/**
 * The Debian Python client (python3-socketio, polling only) against our server with protocol 1: the spec's
 * client-side flow (wait for sync_request, answer sync_data {data: hex}) must work for Python programs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSyncServer } from '../src/server/server.js';
import type { RemoteManifest } from '../src/transports/types.js';
import { PYTHON } from './helpers/flask.js';
import { memoryLogger, writeTokens } from './helpers/socketio.js';
import { makeTestDb, sh, sha256File, tmpDir } from './helpers/system.js';

// The token travels in a file named on the command line, never on it.
const CLIENT = `
import json, sys, threading
import socketio

url, db_path, token_path = sys.argv[1], sys.argv[2], sys.argv[3]
token = open(token_path).read().strip() if token_path != '-' else None
sio = socketio.Client(reconnection=False)
done = threading.Event()
result = {}

@sio.on('sync_request', namespace='/cordiax-sync/')
def on_sync_request(data):
    result['hello'] = data
    with open(db_path, 'rb') as f:
        hexdata = f.read().hex()
    def ack(*args):
        result['ack'] = args[0] if args else None
        done.set()
    sio.emit('sync_data', {'data': hexdata}, namespace='/cordiax-sync/', callback=ack)

@sio.on('connect_error', namespace='/cordiax-sync/')
def on_connect_error(data):
    result['refusal'] = data
    done.set()

try:
    auth = {'token': token, 'database_id': 'python'} if token else {'database_id': 'python'}
    sio.connect(url, namespaces=['/cordiax-sync/'], auth=auth, wait_timeout=5)
    ok = done.wait(20)
    result['timeout'] = not ok
except socketio.exceptions.ConnectionError as e:
    result['connect_error'] = str(e)
finally:
    try:
        sio.disconnect()
    except Exception:
        pass
print(json.dumps(result))
`;

/** Runs the Python client without blocking this process (the server under test lives in it). */
async function runPython(dir: string, url: string, db: string, tokenFile: string): Promise<Record<string, unknown>> {
  const script = path.join(dir, 'client.py');
  writeFileSync(script, CLIENT, { mode: 0o600 });
  const { stdout } = await promisify(execFile)(PYTHON, [script, url, db, tokenFile], { timeout: 40_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

// python3-socketio's HTTP client needs python3-requests (not a declared dependency of the Debian package).
const hasRequests = sh(PYTHON, ['-c', 'import requests, socketio']).status === 0;

test('python3-socketio sends the spec hex to our server: stored byte for byte, acked with the manifest', {
  timeout: 60_000,
  skip: hasRequests ? false : 'python3-requests is not installed',
}, async () => {
  const dir = tmpDir();
  const token = `py-${randomBytes(16).toString('hex')}`;
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const storageDir = tmpDir();
  const log = memoryLogger();
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir,
    tokensFile: writeTokens(dir, [token]),
    log,
  });
  try {
    const db = makeTestDb(path.join(dir, 'a.db'), 400);
    const out = await runPython(dir, server.url, db, tokenFile);
    assert.equal(out.timeout, false, JSON.stringify(out));
    assert.equal((out.hello as { protocol: number }).protocol, 2, 'the hello announces protocol 2; Python ignores it');
    const ack = out.ack as { ok: boolean; manifest: RemoteManifest };
    assert.equal(ack.ok, true);
    assert.equal(ack.manifest.sha256, await sha256File(db));
    const manifest = JSON.parse(
      readFileSync(path.join(storageDir, 'python', 'manifest.json'), 'utf8'),
    ) as RemoteManifest;
    assert.equal(await sha256File(path.join(storageDir, 'python', manifest.file)), await sha256File(db));

    // Without the token: refused, nothing stored.
    const refused = await runPython(dir, server.url, db, '-');
    assert.match(JSON.stringify(refused.refusal), /unauthorized/, JSON.stringify(refused));
    assert.equal(refused.hello, undefined);
    assert.ok(!JSON.stringify(log.events).includes(token));
  } finally {
    await server.close();
  }
});
