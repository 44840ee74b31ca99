// Progress and Cancelar (issue 15, item 4) against a real Apache 2.4 mod_dav, through a proxy that holds one exchange
// where the test wants the operation to be (the upload's body, the read-back of what landed, a pull's download, the
// commit record's answer): no timing. A cancel before the commit point leaves the remote (every file, hashed), the
// local database, the state (all but lastAttempt) and $CORDIAX_HOME/tmp as they were, is logged as SYNC_CANCELLED
// (not an error), and the next sync completes normally; a cancel after it is refused with the reason. The phases of
// a push, a pull and a restore arrive in order.
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../src/service.js';
import type { SyncEvent } from '../src/log/events.js';
import type { ProgressData } from '../src/engine/operation.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import { startApache, type ApacheServer } from './helpers/apache.js';
import { startGateProxy, type GateProxy } from './helpers/gate-proxy.js';
import Database from 'better-sqlite3';
import {
  addRows,
  commandExists,
  makeLargeDb,
  makeTestDb,
  readRows,
  sha256File,
  tmpDir,
  unavailable,
} from './helpers/system.js';

let apache: ApacheServer | undefined;
let proxy: GateProxy;
const services: SyncService[] = [];

before(async () => {
  if (!commandExists('apache2')) return;
  apache = await startApache();
  proxy = await startGateProxy({ host: '127.0.0.1', port: apache.port });
});
after(async () => {
  for (const s of services) await s.close().catch(() => {});
  await proxy?.close();
  await apache?.stop();
});

interface Device {
  svc: SyncService;
  home: string;
  db: string;
  events: SyncEvent[];
}

async function device(folder: string, name: string, rows = 40): Promise<Device> {
  const home = tmpDir(`cx-cancel-${name}-`);
  const db = path.join(home, 'cordiax.db');
  if (rows > 0) makeTestDb(db, rows, { tag: name });
  const svc = await SyncService.open({ home, embeddedServer: false });
  services.push(svc);
  await svc.saveConfig({
    protocol: 'webdav',
    enabled: false,
    polling_interval: 300,
    webdav: {
      url: `${proxy.origin}/dav/`,
      username: apache!.user,
      password: apache!.password,
      remote_path: `/${folder}/`,
    },
    database_path: db,
    device_name: name,
  } as Parameters<SyncService['saveConfig']>[0]);
  const events: SyncEvent[] = [];
  svc.subscribe((e) => events.push(e));
  return { svc, home, db, events };
}

/** Every file under the remote folder (relative path -> sha256), hidden and temporary ones included. */
function remoteTree(folder: string): Map<string, string> {
  const root = path.join(apache!.dataDir, folder);
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(`${path.relative(root, p)}/`, 'dir');
        walk(p);
      } else out.set(path.relative(root, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

function generation(folder: string): number {
  const f = path.join(apache!.dataDir, folder, MANIFEST_FILE);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { generation: number }).generation : 0;
}

/** The state file without lastAttempt (the one field a cancelled sync may change). */
function stateWithoutAttempt(home: string): unknown {
  const text = readFileSync(path.join(home, 'sync_state.json'), 'utf8');
  return JSON.parse(text, (k, v) => (k === 'lastAttempt' ? undefined : v));
}

function tmpEntries(home: string): string[] {
  const dir = path.join(home, 'tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Apache drops its own temporary file of an aborted PUT when it sees the client go: wait until it has. */
async function apacheSettled(folder: string): Promise<void> {
  const root = path.join(apache!.dataDir, folder);
  for (let i = 0; i < 200; i++) {
    const stray = readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.includes('.davfs.tmp'));
    if (stray.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a database holds (rows of `notas`, and the big table's row count and bytes). */
function content(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return {
      notas: readRows(file),
      grande: db.prepare('SELECT count(*) AS n, sum(length(datos)) AS b FROM grande').get(),
    };
  } finally {
    db.close();
  }
}

/** The phases as they came, repeats folded. */
function phases(events: SyncEvent[], from = 0): string[] {
  const out: string[] = [];
  for (const e of events.slice(from)) {
    if (e.type !== 'progress') continue;
    const p = (e.data as unknown as ProgressData).phase;
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

async function untilPhase(d: Device, phase: ProgressData['phase']): Promise<ProgressData> {
  for (let i = 0; i < 400; i++) {
    const op = (await d.svc.status()).operation;
    if (op?.phase === phase) return op;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`phase ${phase} never reached; phases: ${phases(d.events).join(', ')}`);
}

/** What must not move when a sync is cancelled. */
async function fingerprint(d: Device, folder: string) {
  return {
    remote: remoteTree(folder),
    generation: generation(folder),
    db: existsSync(d.db) ? await sha256File(d.db) : null,
    state: stateWithoutAttempt(d.home),
  };
}

async function assertUnchanged(d: Device, folder: string, before: Awaited<ReturnType<typeof fingerprint>>) {
  await apacheSettled(folder);
  const now = await fingerprint(d, folder);
  assert.deepEqual(now.remote, before.remote, 'the remote holds exactly the files it held, byte for byte');
  assert.equal(now.generation, before.generation, 'no new manifest generation');
  assert.equal(now.db, before.db, 'the local database is untouched');
  assert.deepEqual(now.state, before.state, 'the state is unchanged but for lastAttempt');
  assert.deepEqual(tmpEntries(d.home), [], 'no private temp folder left in $CORDIAX_HOME/tmp');
  const ended = d.events.filter((e) => e.type === 'sync_end' || e.type === 'error').at(-1);
  assert.equal(ended?.code, 'SYNC_CANCELLED', 'the sync ends as cancelled');
  assert.equal(ended?.type, 'sync_end', 'a cancel is not an error');
  assert.match(ended?.message ?? '', /^Sincronización cancelada/);
}

/** A synced pair of devices on a fresh folder; A then has a change of a few MB to send. */
async function syncedPair(tag: string): Promise<{ folder: string; a: Device; b: Device }> {
  const folder = `cancel-${tag}-${randomBytes(3).toString('hex')}`;
  const a = await device(folder, `${tag}-a`);
  const b = await device(folder, `${tag}-b`, 0); // no database yet: its first sync pulls A's
  assert.equal((await a.svc.syncNow()).action, 'push');
  assert.equal((await b.svc.syncNow()).action, 'pull');
  makeLargeDb(a.db, 3 * 1024 * 1024);
  return { folder, a, b };
}

describe('Cancelar (WebDAV, Apache)', () => {
  test('during the upload: nothing changes anywhere, and the next sync sends the version', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const { folder, a } = await syncedPair('up');
    const before = await fingerprint(a, folder);
    const gate = proxy.gate({ line: /^PUT \S*\.cxtmp HTTP/, hold: 'request' });
    const running = a.svc.syncNow();
    await gate.reached;
    const op = await untilPhase(a, 'upload');
    assert.equal(op.cancellable, true);
    assert.equal(op.operation, 'sync');
    assert.deepEqual(a.svc.cancel(), { ok: true });
    const outcome = await running;
    gate.release();
    assert.equal(outcome.action, 'cancelled');
    await assertUnchanged(a, folder, before);

    const next = await a.svc.syncNow();
    assert.equal(next.action, 'push');
    assert.equal(generation(folder), before.generation + 1);
  });

  test('during the read-back check of what landed: nothing changes, the temporary object is removed', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const { folder, a } = await syncedPair('verify');
    const before = await fingerprint(a, folder);
    const gate = proxy.gate({ line: /^GET \S*\.cxtmp HTTP/, hold: 'response' });
    const running = a.svc.syncNow();
    await gate.reached;
    const op = await untilPhase(a, 'verify');
    assert.equal(op.cancellable, true);
    assert.deepEqual(a.svc.cancel(), { ok: true });
    const outcome = await running;
    gate.release();
    assert.equal(outcome.action, 'cancelled');
    await assertUnchanged(a, folder, before);

    assert.equal((await a.svc.syncNow()).action, 'push');
    assert.equal(generation(folder), before.generation + 1);
  });

  test('during a pull download: the local database and the state stay; the next sync pulls', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const { folder, a, b } = await syncedPair('pull');
    assert.equal((await a.svc.syncNow()).action, 'push');
    const before = await fingerprint(b, folder);
    const gate = proxy.gate({ line: /^GET \S*\/versions\/\S+ HTTP/, hold: 'response' });
    const running = b.svc.syncNow();
    await gate.reached;
    const op = await untilPhase(b, 'download');
    assert.equal(op.operation, 'pull');
    assert.equal(op.cancellable, true);
    assert.deepEqual(b.svc.cancel(), { ok: true });
    const outcome = await running;
    gate.release();
    assert.equal(outcome.action, 'cancelled');
    await assertUnchanged(b, folder, before);

    assert.equal((await b.svc.syncNow()).action, 'pull');
    assert.deepEqual(content(b.db), content(a.db), 'the next sync brought the version');
  });

  test('during a conflict download: no conflict is recorded, no copy kept; the next sync keeps both', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const { folder, a, b } = await syncedPair('conflict');
    assert.equal((await a.svc.syncNow()).action, 'push');
    addRows(b.db, ['cambio en recepción']);
    const before = await fingerprint(b, folder);
    const besideDb = readdirSync(path.dirname(b.db)).sort();
    const gate = proxy.gate({ line: /^GET \S*\/versions\/\S+ HTTP/, hold: 'response' });
    const running = b.svc.syncNow();
    await gate.reached;
    const op = await untilPhase(b, 'download');
    assert.equal(op.operation, 'conflict-download');
    assert.deepEqual(b.svc.cancel(), { ok: true });
    const outcome = await running;
    gate.release();
    assert.equal(outcome.action, 'cancelled');
    await assertUnchanged(b, folder, before);
    assert.deepEqual(readdirSync(path.dirname(b.db)).sort(), besideDb, 'no conflict copy was written');
    assert.equal((await b.svc.status()).conflict, null);

    const from = b.events.length;
    const next = await b.svc.syncNow();
    assert.equal(next.action, 'conflict');
    assert.deepEqual(phases(b.events, from), ['compare', 'snapshot', 'download', 'check', 'save']);
  });

  test('after the commit point Cancelar is refused with the reason, and the version is published', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const folder = `cancel-late-${randomBytes(3).toString('hex')}`;
    const a = await device(folder, 'late-a');
    assert.equal((await a.svc.syncNow()).action, 'push');
    addRows(a.db, ['cita de las 10:30']);
    // The commit record is created (PUT commits/...): its answer is held, the operation is past its commit point.
    const gate = proxy.gate({ line: /^PUT \S*\/commits\/\S+ HTTP/, hold: 'response' });
    const running = a.svc.syncNow();
    await gate.reached;
    const op = await untilPhase(a, 'publish');
    assert.equal(op.cancellable, false);
    const answer = a.svc.cancel();
    assert.equal(answer.ok, false);
    assert.equal(answer.ok ? '' : answer.reason.es, 'Ya se está publicando; no se puede cancelar.');
    gate.release();
    const outcome = await running;
    assert.equal(outcome.action, 'push');
    assert.equal(generation(folder), 2);
    assert.equal(a.events.filter((e) => e.code === 'SYNC_CANCELLED').length, 0);
  });

  test('Ctrl-C during `cordiax-sync sync` is Cancelar: exit 130, nothing changed', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const { folder, a } = await syncedPair('cli');
    const before = await fingerprint(a, folder);
    const gate = proxy.gate({ line: /^PUT \S*\.cxtmp HTTP/, hold: 'request' });
    const child = spawn(process.execPath, [path.resolve('bin/cordiax-sync.js'), 'sync'], {
      env: { ...process.env, CORDIAX_HOME: a.home, CORDIAX_LANG: 'es' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await gate.reached;
    child.kill('SIGINT');
    const code = await exit;
    gate.release();
    assert.equal(code, 130, out);
    assert.match(out, /Sincronización cancelada/);
    await apacheSettled(folder);
    const now = await fingerprint(a, folder);
    assert.deepEqual(now.remote, before.remote);
    assert.equal(now.db, before.db);
    assert.deepEqual(now.state, before.state);
    assert.deepEqual(tmpEntries(a.home), []);
  });

  test('nothing running: Cancelar says so', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const a = await device(`cancel-idle-${randomBytes(3).toString('hex')}`, 'idle-a');
    const answer = a.svc.cancel();
    assert.equal(answer.ok, false);
    assert.equal(answer.ok ? '' : answer.reason.es, 'No hay ninguna sincronización ni restauración en curso.');
  });

  test('a cancelled restore leaves the local database as it was', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const folder = `cancel-restore-${randomBytes(3).toString('hex')}`;
    const a = await device(folder, 'restore-a');
    makeLargeDb(a.db, 3 * 1024 * 1024); // version 1 is a database of a few MB: its download can be held
    assert.equal((await a.svc.syncNow()).action, 'push');
    addRows(a.db, ['cita de las 12:00']);
    assert.equal((await a.svc.syncNow()).action, 'push');
    const dbBefore = await sha256File(a.db);
    const stateBefore = stateWithoutAttempt(a.home);
    const gate = proxy.gate({ line: /^GET \S*\/versions\/\S+ HTTP/, hold: 'response' });
    const running = a.svc.restoreVersion(1);
    await gate.reached;
    const op = await untilPhase(a, 'download');
    assert.equal(op.operation, 'restore');
    assert.deepEqual(a.svc.cancel(), { ok: true });
    assert.equal(await running, 'cancelled');
    gate.release();
    assert.equal(await sha256File(a.db), dbBefore);
    assert.deepEqual(stateWithoutAttempt(a.home), stateBefore);
    assert.deepEqual(tmpEntries(a.home), []);
    assert.equal(a.events.at(-1)?.code, 'RESTORE_CANCELLED');
    assert.equal(a.events.filter((e) => e.code === 'VERSION_RESTORED' || e.type === 'error').length, 0);
    assert.equal(generation(folder), 2);
  });
});

describe('progress phases', () => {
  test('a push, a pull and a restore report their phases in order', async (t) => {
    if (!apache) return unavailable(t, 'apache2 is not installed (Debian: apache2)');
    const { a, b } = await syncedPair('phases');
    const fromA = a.events.length;
    assert.equal((await a.svc.syncNow()).action, 'push');
    assert.deepEqual(phases(a.events, fromA), ['compare', 'snapshot', 'upload', 'verify', 'publish']);
    const upload = a.events
      .slice(fromA)
      .filter((e) => e.type === 'progress')
      .map((e) => e.data as unknown as ProgressData)
      .filter((p) => p.phase === 'upload');
    assert.ok(upload.length >= 2, 'the upload reports bytes');
    assert.equal(upload.at(-1)?.done, upload.at(-1)?.total, 'the upload ends at its total');
    assert.ok(
      upload.every((p) => p.cancellable),
      'the upload is cancellable',
    );

    const fromB = b.events.length;
    assert.equal((await b.svc.syncNow()).action, 'pull');
    assert.deepEqual(phases(b.events, fromB), ['compare', 'snapshot', 'download', 'check', 'apply']);
    const last = b.events
      .slice(fromB)
      .filter((e) => e.type === 'progress')
      .at(-1)?.data as unknown as ProgressData;
    assert.equal(last.cancellable, false);
    assert.equal(last.notCancellable?.es, 'Ya se está aplicando la versión en la base de datos; no se puede cancelar.');

    const fromR = b.events.length;
    assert.equal(await b.svc.restoreVersion(1), 'restored');
    assert.deepEqual(phases(b.events, fromR), ['compare', 'download', 'check', 'apply']);
    // The log says sizes in the page's format: "(3,1 MB)" in Spanish, never "3.12 MB".
    const pushed = a.events.filter((e) => e.code === 'SYNC_PUSH' || e.type === 'sync_end').at(-1);
    assert.doesNotMatch(pushed?.message ?? '', /\d\.\d+ [KM]B/);
  });
});
