// The sync history belongs to the remote, not to the spelling of its address (issue 15, item 2), through the real
// service over real remotes (a folder, Apache and rclone WebDAV): (1) the same remote reached by another spelling
// (trailing slash, localhost for 127.0.0.1) keeps its history: a page patch is pushed, nothing downloaded, no
// conflict; (2) a fresh sync_state.json whose database equals an older version of the remote fast-forwards; (3) an
// address that leads to another remote stops with "¿Es el mismo servidor?" touching no byte anywhere, the API shows
// it, and each answer takes its path losing nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../src/service.js';
import { SyncEngine, type EngineOptions } from '../src/engine/engine.js';
import type { FileTransport } from '../src/transports/types.js';
import { folderRemote, makeDevice } from './helpers/engine.js';
import { x25519Encryption, x25519Keys } from './helpers/age.js';
import { ROUTES } from '../src/ui/api.js';
import type { StatusReport } from '../src/service.js';
import type { SyncOutcome } from '../src/engine/engine.js';
import type { SyncEvent } from '../src/log/events.js';
import { startApache, type ApacheServer } from './helpers/apache.js';
import { startRclone, type RcloneServer } from './helpers/rclone.js';
import { remoteDatabaseSync } from './helpers/remote-db.js';
import { addRows, makeTestDb, readRows, tmpDir } from './helpers/system.js';

let apache: ApacheServer;
let rclone: RcloneServer;
const services: SyncService[] = [];

before(async () => {
  [apache, rclone] = await Promise.all([startApache(), startRclone()]);
});
after(async () => {
  for (const s of services) await s.close().catch(() => {});
  await apache.stop();
  rclone.stop();
});

/** One way to reach a remote: the config block, and the folder on disk that holds the remote's files. */
interface Address {
  protocol: 'folder' | 'webdav';
  block: Record<string, unknown>;
  dir: string;
}

interface Kind {
  name: string;
  /** Two spellings of the same remote `folder`. */
  spellings(folder: string): [Address, Address];
}

const kinds: Kind[] = [
  {
    name: 'folder',
    spellings(folder) {
      const dir = path.join(tmpDir('cx-id-folder-'), folder);
      return [
        { protocol: 'folder', block: { path: dir }, dir },
        { protocol: 'folder', block: { path: `${dir}/` }, dir },
      ];
    },
  },
  {
    name: 'Apache',
    spellings(folder) {
      const dav = (host: string): Address => ({
        protocol: 'webdav',
        block: {
          url: `http://${host}:${apache.port}/dav/`,
          username: apache.user,
          password: apache.password,
          remote_path: `/${folder}/`,
        },
        dir: path.join(apache.dataDir, folder),
      });
      return [dav('127.0.0.1'), dav('localhost')];
    },
  },
  {
    name: 'rclone',
    spellings(folder) {
      const dav = (host: string): Address => ({
        protocol: 'webdav',
        block: {
          url: `http://${host}:${rclone.port}/`,
          username: rclone.user,
          password: rclone.password,
          remote_path: `/${folder}/`,
        },
        dir: path.join(rclone.dataDir, folder),
      });
      return [dav('127.0.0.1'), dav('localhost')];
    },
  },
];

interface Device {
  svc: SyncService;
  home: string;
  db: string;
  events: SyncEvent[];
}

async function device(name: string, rows: number, tag = name): Promise<Device> {
  const home = tmpDir(`cx-id-${name}-`);
  const db = path.join(home, 'cordiax.db');
  if (rows > 0) makeTestDb(db, rows, { tag });
  const svc = await SyncService.open({ home, embeddedServer: false });
  services.push(svc);
  const events: SyncEvent[] = [];
  svc.subscribe((e) => events.push(e));
  return { svc, home, db, events };
}

/** Points the device at an address (the password is given again: a new host is another secret destination). */
async function use(d: Device, a: Address, name: string): Promise<void> {
  await d.svc.saveConfig(
    { enabled: false, protocol: a.protocol, device_name: name, polling_interval: 60, [a.protocol]: a.block },
    { keepEmptySecrets: false },
  );
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under a folder with its sha256 (what "no byte changed" means). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = sha(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** The rows of the remote's head, rebuilt from its objects on disk. */
function remoteRows(dir: string): string[] {
  const file = path.join(tmpDir('cx-id-head-'), 'head.db');
  writeFileSync(file, remoteDatabaseSync(dir));
  return readRows(file);
}

/** Files kept beside the database as conflict copies. */
function conflictCopies(d: Device): string[] {
  return readdirSync(path.dirname(d.db)).filter((f) => /conflict|conflicto/i.test(f));
}

const stateFile = (d: Device) =>
  JSON.parse(readFileSync(path.join(d.home, 'sync_state.json'), 'utf8')) as {
    targets: Record<string, { movedTo?: string; lineage?: { remoteId?: string }; base?: unknown }>;
  };

/** `cordiax-sync status` run from the sources in another process. */
function cliStatus(home: string): { status: number | null; stdout: string; stderr: string } {
  const run = "import('./src/cli/main.ts').then((m) => m.main(['node', 'cordiax-sync', ...process.argv.slice(1)]))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', run, 'status'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function api<T>(svc: SyncService, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const handler = ROUTES[route];
  assert.ok(handler, `${route} is a route`);
  const r = await handler(svc, body, new URLSearchParams());
  return { status: r.status, body: r.body as T };
}

for (const kind of kinds) {
  describe(`remote identity over ${kind.name}`, () => {
    test('another spelling of the same address keeps the history: a page patch up, nothing down, no conflict', async () => {
      const [first, second] = kind.spellings(`same-${kind.name}`);
      const d = await device('equipoA', 2000);
      await use(d, first, 'equipoA');
      const r1 = await d.svc.syncNow();
      assert.equal(r1.action, 'push');
      const dbSize = statSync(d.db).size;

      await use(d, second, 'equipoA');
      addRows(d.db, ['fila nueva tras cambiar la dirección']);
      const r2: SyncOutcome = await d.svc.syncNow();
      assert.equal(r2.action, 'push', `pushed as a local change, not ${r2.action}/${r2.reason}`);
      assert.equal(r2.reason, 'local-changed');
      assert.equal(r2.bytesDown, 0, 'nothing downloaded');
      assert.equal(r2.delta?.patches, 1, 'a page patch, not the whole database');
      assert.ok(r2.bytesUp < dbSize / 4, `sent ${r2.bytesUp} bytes of a ${dbSize}-byte database`);
      assert.equal(r2.generation, 2);
      assert.deepEqual(conflictCopies(d), []);
      assert.deepEqual(remoteRows(first.dir), readRows(d.db));
      assert.equal(remoteRows(first.dir).length, 2001);
      const same = d.events.find((e) => e.code === 'REMOTE_SAME_IDENTITY');
      assert.ok(same, 'the log says it is the same server');
      assert.match(same.message, /Es el mismo servidor \(identidad [A-Za-z0-9_-]{8}\): se conserva el historial/);

      // One history per remote: the old key is a signpost to the new one.
      const st = stateFile(d);
      const keys = Object.keys(st.targets);
      assert.equal(keys.length, 2);
      const moved = keys.filter((k) => st.targets[k]!.movedTo);
      assert.equal(moved.length, 1);
      assert.ok(st.targets[st.targets[moved[0]!]!.movedTo!]!.base, 'the new key holds the base');
      const password = first.block.password;
      if (typeof password === 'string')
        assert.ok(!readFileSync(path.join(d.home, 'sync_state.json'), 'utf8').includes(password), 'no password');

      // And back to the first spelling: the history follows again; nothing to move.
      await use(d, first, 'equipoA');
      const r3 = await d.svc.syncNow();
      assert.equal(r3.action, 'none');
      assert.equal(r3.bytesDown, 0);
      assert.equal(r3.bytesUp, 0);
      assert.equal((await d.svc.status()).state, 'idle');
    });

    test('a fresh sync_state.json with the database of an older remote version fast-forwards', async () => {
      const [addr] = kind.spellings(`behind-${kind.name}`);
      const a = await device('equipoA', 300);
      await use(a, addr, 'equipoA');
      assert.equal((await a.svc.syncNow()).action, 'push');
      const b = await device('equipoB', 0);
      await use(b, addr, 'equipoB');
      assert.equal((await b.svc.syncNow()).action, 'pull');
      addRows(a.db, ['otra fila en A', 'y otra']);
      assert.equal((await a.svc.syncNow()).action, 'push');
      addRows(a.db, ['la tercera versión']);
      assert.equal((await a.svc.syncNow()).action, 'push');

      // B forgets everything it knew of the remote (a new state file): its database is version 1.
      await b.svc.close();
      rmSync(path.join(b.home, 'sync_state.json'));
      rmSync(path.join(b.home, 'delta'), { recursive: true, force: true });
      const b2 = await SyncService.open({ home: b.home, embeddedServer: false });
      services.push(b2);
      const r = await b2.syncNow();
      assert.equal(r.action, 'pull', `fast-forward, not ${r.action}/${r.reason}`);
      assert.equal(r.reason, 'local-is-older-version');
      assert.equal(r.generation, 3);
      assert.deepEqual(conflictCopies(b), []);
      assert.deepEqual(readRows(b.db), remoteRows(addr.dir));
      assert.equal(readRows(b.db).length, 303);
    });

    test('an address that leads to another remote: the question, no byte moved, and answers that lose nothing', async () => {
      const [one] = kind.spellings(`uno-${kind.name}`);
      const [two] = kind.spellings(`dos-${kind.name}`);
      // Another office's remote at the second address.
      const other = await device('otraOficina', 120, 'otra');
      await use(other, two, 'otraOficina');
      assert.equal((await other.svc.syncNow()).action, 'push');

      const d = await device('equipoA', 200);
      await use(d, one, 'equipoA');
      assert.equal((await d.svc.syncNow()).action, 'push');
      const before = { local: sha(readFileSync(d.db)), one: tree(one.dir), two: tree(two.dir) };

      await use(d, two, 'equipoA');
      const r = await d.svc.syncNow();
      assert.equal(r.action, 'question');
      assert.equal(r.reason, 'other-remote');
      assert.equal(r.bytesDown, 0);
      assert.equal(r.bytesUp, 0);
      assert.equal(sha(readFileSync(d.db)), before.local, 'local database unchanged');
      assert.deepEqual(tree(one.dir), before.one, 'the previous remote unchanged');
      assert.deepEqual(tree(two.dir), before.two, 'the new remote unchanged');
      assert.deepEqual(conflictCopies(d), []);
      assert.ok(d.events.some((e) => e.code === 'REMOTE_QUESTION' && /¿Es el mismo servidor\?/.test(e.message)));

      // Asked again at the next poll: still nothing moves.
      assert.equal((await d.svc.syncNow()).action, 'question');
      assert.deepEqual(tree(two.dir), before.two);

      // The status (service, API) carries the question.
      const s = await api<StatusReport>(d.svc, 'GET /api/status');
      assert.equal(s.status, 200);
      assert.equal(s.body.state, 'question');
      assert.ok(s.body.question);
      assert.notEqual(s.body.question.foundRemoteId, s.body.question.previousRemoteId);
      assert.equal(s.body.question.foundGeneration, 1);
      assert.equal((await api(d.svc, 'POST /api/remote-question', { answer: 'merge' })).status, 400);

      // `cordiax-sync status` (the CLI, from the sources) asks it too, and exits 3 (waiting for the user).
      if (kind.name === 'folder') {
        const cli = cliStatus(d.home);
        assert.equal(cli.status, 3, cli.stderr);
        assert.match(cli.stdout, /¿Es el mismo servidor\? La dirección lleva ahora a otro servidor/);
        assert.match(cli.stdout, /cordiax-sync remote-answer --use-new/);
      }

      // "Volver a la dirección anterior": the previous address is saved back (same destination: password kept).
      const back = await api<{ outcome: SyncOutcome | null; status: StatusReport }>(
        d.svc,
        'POST /api/remote-question',
        { answer: 'go-back' },
      );
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.equal(back.body.status.question, null);
      assert.deepEqual((d.svc.config() as unknown as Record<string, Record<string, unknown>>)[one.protocol], {
        ...(d.svc.config() as unknown as Record<string, Record<string, unknown>>)[one.protocol],
        ...one.block,
      });
      const again = await d.svc.syncNow();
      assert.equal(again.action, 'none');
      assert.equal(sha(readFileSync(d.db)), before.local);

      // Then to the other remote again, and "Usar este servidor nuevo": a first contact, both copies kept.
      await use(d, two, 'equipoA');
      assert.equal((await d.svc.syncNow()).action, 'question');
      const used = await api<{ outcome: SyncOutcome | null; status: StatusReport }>(
        d.svc,
        'POST /api/remote-question',
        { answer: 'use-new' },
      );
      assert.equal(used.status, 200, JSON.stringify(used.body));
      assert.equal(used.body.outcome?.action, 'conflict');
      assert.equal(used.body.outcome?.reason, 'first-sync-differs');
      assert.equal(used.body.status.state, 'conflict');
      assert.equal(used.body.status.question, null);
      assert.equal(sha(readFileSync(d.db)), before.local, 'the local database stays');
      assert.deepEqual(tree(two.dir), before.two, 'the new remote is not overwritten');
      assert.deepEqual(tree(one.dir), before.one);
      const copy = used.body.outcome?.conflictCopy;
      assert.ok(copy);
      assert.deepEqual(readRows(copy), remoteRows(two.dir), 'the conflict copy holds the other remote');
      assert.equal(readRows(copy).length, 120);
    });
  });
}

describe('remote identity with encryption on (folder remote, engine level)', () => {
  /** A second engine on the same home and database: the same remote reached by another spelling of its address. */
  const respelled = (d: ReturnType<typeof makeDevice>, transport: FileTransport, targetId: string, enc: object) =>
    new SyncEngine({
      transport,
      databasePath: d.db,
      statePath: path.join(d.home, 'sync_state.json'),
      device: d.name,
      log: d.log,
      targetId,
      encryption: enc as EngineOptions['encryption'],
    });

  test('no hashes to compare (fresh state, ciphertext only): the old conservative conflict, both kept', async () => {
    const remote = folderRemote();
    const k = x25519Keys(tmpDir());
    const enc = x25519Encryption(k.recipient, k.file);
    const a = makeDevice('equipoA', remote.transport(), { encryption: enc, targetId: 'folder:a' });
    makeTestDb(a.db, 60, { tag: 'cifrada' });
    assert.equal((await a.engine.sync()).action, 'push');
    const b = makeDevice('equipoB', remote.transport(), { encryption: enc, targetId: 'folder:b' });
    assert.equal((await b.engine.sync()).action, 'pull');
    addRows(a.db, ['solo en A']);
    assert.equal((await a.engine.sync()).action, 'push');

    rmSync(path.join(b.home, 'sync_state.json'));
    const before = sha(readFileSync(b.db));
    const fresh = respelled(b, remote.transport(), 'folder:b', enc);
    const r = await fresh.sync();
    assert.equal(r.action, 'conflict', 'ciphertext hashes cannot show the local database is an older version');
    assert.equal(r.reason, 'first-sync-differs');
    assert.equal(sha(readFileSync(b.db)), before, 'the local database stays');
    assert.ok(r.conflictCopy && statSync(r.conflictCopy).size > 0, 'the remote version is kept beside it');
  });

  test('another spelling with encryption on: the history (known hashes) follows, the newer version is pulled', async () => {
    const remote = folderRemote();
    const k = x25519Keys(tmpDir());
    const enc = x25519Encryption(k.recipient, k.file);
    const a = makeDevice('equipoA', remote.transport(), { encryption: enc, targetId: 'folder:a' });
    makeTestDb(a.db, 60, { tag: 'cifrada' });
    assert.equal((await a.engine.sync()).action, 'push');
    const b = makeDevice('equipoB', remote.transport(), { encryption: enc, targetId: `folder:${remote.root}` });
    assert.equal((await b.engine.sync()).action, 'pull');
    addRows(a.db, ['solo en A']);
    assert.equal((await a.engine.sync()).action, 'push');

    const other = respelled(b, remote.transport(), `folder:${remote.root}/`, enc);
    const r = await other.sync();
    assert.equal(r.action, 'pull', `a pull of the newer version, not ${r.action}/${r.reason}`);
    assert.equal(r.reason, 'remote-changed');
    assert.deepEqual(readRows(b.db), readRows(a.db));
    const st = await other.targetState();
    assert.ok(st.lineage?.remoteId && st.movedFrom === `folder:${remote.root}`);
  });
});

describe('a wrong identity match still runs every check (folder remotes)', () => {
  test('a remote folder copied elsewhere (same identity) that moved on its own: a conflict, both kept', async () => {
    const [x] = kinds[0]!.spellings('copiada-x');
    const y: Address = { protocol: 'folder', block: { path: path.join(tmpDir('cx-id-copy-'), 'y') }, dir: '' };
    y.dir = y.block.path as string;
    const d = await device('equipoA', 80);
    await use(d, x, 'equipoA');
    assert.equal((await d.svc.syncNow()).action, 'push');
    // Someone copies the remote folder to another place (the identity file comes along) and another office keeps
    // using the copy while this computer keeps using the original.
    cpSync(x.dir, y.dir, { recursive: true });
    const other = await device('otraOficina', 0);
    await use(other, y, 'otraOficina');
    assert.equal((await other.svc.syncNow()).action, 'pull');
    addRows(other.db, ['solo en la copia']);
    assert.equal((await other.svc.syncNow()).action, 'push');
    addRows(d.db, ['solo en el original']);
    assert.equal((await d.svc.syncNow()).action, 'push');

    const before = { local: sha(readFileSync(d.db)), y: tree(y.dir) };
    await use(d, y, 'equipoA');
    const r = await d.svc.syncNow();
    assert.ok(
      d.events.some((e) => e.code === 'REMOTE_SAME_IDENTITY'),
      'taken for the same remote (same identity)',
    );
    assert.equal(r.action, 'conflict', `lineage catches it: ${r.action}/${r.reason}`);
    assert.equal(r.reason, 'our-commit-lost', 'our generation 2 is not the generation 2 of the copy');
    assert.equal(sha(readFileSync(d.db)), before.local, 'nothing replaced the local database');
    assert.deepEqual(tree(y.dir), before.y, 'nothing overwrote the copy');
    assert.ok(r.conflictCopy);
    assert.ok(readRows(r.conflictCopy).includes('solo en la copia'));
    assert.ok(readRows(d.db).includes('solo en el original'));
  });
});
