/**
 * One conformance suite for every transport, in the spirit of rclone's fstests.Run and Litestream's
 * RunWithReplicaClient: the FileTransport contract (every method, its errors, its guarantees such as create-exclusive
 * and conditional writes, empty and large objects, names with spaces and accents, concurrent callers) and the
 * engine's push / idle poll / pull / conflict scenarios with real progress events, run against a real server.
 *
 * A test file calls `transportContract(start)` once per transport; `start` brings the server up (in before()) and
 * gives a target. The engine scenarios also run on a SyncEndpoint (our Socket.IO server), where the file contract
 * does not apply. Checks are by bytes and hashes on the folder that backs the remote, never by "it did not throw".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SyncEngine } from '../../src/engine/engine.js';
import { isSyncError } from '../../src/errors.js';
import { EventLog } from '../../src/log/event-log.js';
import type { FileTransport, SyncEndpoint } from '../../src/transports/types.js';
import { FaultProxy } from '../../reliability/lib/proxy.js';
import { counting } from './engine.js';
import { addRows, makeLargeDb, makeTestDb, readRows, sha256File, tmpDir } from './system.js';

export interface ContractTarget {
  name: string;
  /** A transport (or endpoint) on the remote folder / database id `folder` of the same server, for device `device`. */
  make(folder: string, device: string): FileTransport | SyncEndpoint;
  /** The folder on this machine that backs `folder`, for byte checks. */
  backingDir(folder: string): string;
  /** Name of the manifest in the backing folder. */
  manifestName: string;
  /** When the target talks TCP through a counting proxy: its byte counters (the idle-poll budget is checked on the wire). */
  wire?: FaultProxy;
  stop(): Promise<void>;
}

/** A FaultProxy in pass mode in front of `port`, for counting bytes on the wire. */
export async function countingProxy(port: number): Promise<FaultProxy> {
  return new FaultProxy(port).start();
}

const isFile = (t: FileTransport | SyncEndpoint): t is FileTransport => 'upload' in t;

async function rejectsWith(p: Promise<unknown>, codes: string[], what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isSyncError(e), `${what}: not a SyncError: ${String(e)}`);
    assert.ok(codes.includes(e.code), `${what}: code ${e.code}, expected ${codes.join(' or ')}`);
    assert.ok(e.text.es && e.text.en, `${what}: message in both languages`);
    return true;
  });
}

/** Entries of a backing folder that look like temp files a transport left behind. */
function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => /tmp|\.part|~$/i.test(n));
}

/** Test ids of the contract, for ContractOptions.todo. */
export type ContractTestId =
  | 'missing'
  | 'small'
  | 'exclusive'
  | 'exclusive-first-use'
  | 'conditional'
  | 'transfer'
  | 'rename'
  | 'concurrent'
  | 'probe'
  | 'engine-sync'
  | 'engine-conflict';

export interface ContractOptions {
  label?: string;
  /** A SyncEndpoint: only the engine scenarios apply. */
  engineOnly?: boolean;
  /**
   * Known violations of this target, by test id, with the reason: the test still runs with every strict assertion,
   * but as a t.todo (counted and listed by name by scripts/test.mjs), until the transport is fixed.
   */
  todo?: Partial<Record<ContractTestId, string>>;
  /** Remote folder names without spaces or accents (a server that cannot list such names: PyWebDAV). */
  asciiFolders?: boolean;
  /** The server closes the connection after every answer (HTTP/1.0, PyWebDAV): one connection per request is fine. */
  connectionPerRequest?: boolean;
}

export function transportContract(start: () => Promise<ContractTarget>, opts: ContractOptions = {}): void {
  const ctest = (id: ContractTestId, title: string, fn: () => Promise<void>) =>
    test(title, opts.todo?.[id] ? { todo: opts.todo[id] } : {}, fn);
  let target: ContractTarget;
  const open: Array<FileTransport | SyncEndpoint> = [];
  let n = 0;
  const fresh = (device = 'equipo-a') => {
    const folder = opts.asciiFolders ? `contrato-${++n}` : `contrato-${++n}-ñandú café`;
    return {
      folder,
      make: (dev = device) => {
        const t = target.make(folder, dev);
        open.push(t);
        return t;
      },
    };
  };
  const fileT = (x: FileTransport | SyncEndpoint): FileTransport => {
    assert.ok(isFile(x), 'a file transport');
    return x;
  };

  describe(`transport contract: ${opts.label ?? 'target'}`, () => {
    before(async () => {
      target = await start();
    });
    after(async () => {
      for (const t of open) await t.close().catch(() => {});
      await target?.stop();
    });

    if (!opts.engineOnly) {
      ctest(
        'missing',
        'open is idempotent; missing paths: stat null, list [], readSmall null, download NOT_FOUND, remove resolves',
        async () => {
          const { folder, make } = fresh();
          const t = fileT(make());
          await t.open();
          await t.open();
          assert.ok(statSync(target.backingDir(folder)).isDirectory(), 'open() creates the remote folder');
          assert.equal(await t.stat('no-existe.json'), null);
          assert.deepEqual(await t.list('no-existe'), []);
          assert.equal(await t.readSmall('no-existe.json'), null);
          await rejectsWith(
            t.download('no-existe.db', path.join(tmpDir(), 'x')),
            ['NOT_FOUND'],
            'download of a missing file',
          );
          await t.remove('no-existe.db');
        },
      );

      ctest(
        'small',
        'writeSmall / readSmall: bytes round trip, names with spaces and accents, atomic replace, maxBytes refused',
        async () => {
          const { folder, make } = fresh();
          const t = fileT(make());
          await t.open();
          await t.mkdirp('sub carpeta/año 2026');
          const name = 'sub carpeta/año 2026/ñandú café.json';
          const a = Buffer.from(JSON.stringify({ texto: 'primera versión €', r: randomBytes(16).toString('hex') }));
          await t.writeSmall(name, a);
          assert.deepEqual((await t.readSmall(name))!.data, a);
          assert.deepEqual(readFileSync(path.join(target.backingDir(folder), name)), a, 'the bytes on the server');
          const b = Buffer.from('x'.repeat(3000));
          await t.writeSmall(name, b);
          assert.deepEqual((await t.readSmall(name))!.data, b);
          const st = await t.stat(name);
          assert.equal(st?.size, b.length);
          assert.equal(st?.isDirectory, false);
          const listed = await t.list('sub carpeta/año 2026');
          assert.deepEqual(
            listed.filter((e) => !e.isDirectory).map((e) => [path.posix.basename(e.path), e.size]),
            [['ñandú café.json', b.length]],
          );
          assert.deepEqual(
            (await t.list('sub carpeta')).map((e) => [path.posix.basename(e.path), e.isDirectory]),
            [['año 2026', true]],
          );
          await assert.rejects(
            t.readSmall(name, 100),
            (e: unknown) => isSyncError(e),
            'a small read over maxBytes is refused with a SyncError',
          );
          assert.deepEqual(leftovers(path.join(target.backingDir(folder), 'sub carpeta/año 2026')), []);
        },
      );

      ctest(
        'exclusive',
        'createExclusive: one winner of 6 concurrent callers (when promised), content of the winner, false afterwards',
        async () => {
          const { folder, make } = fresh();
          const racers = Array.from({ length: 6 }, (_, i) => fileT(make(`equipo-${i}`)));
          // Each device has probed its server before (one after the other): this test is about the race on the lock.
          for (const r of racers) {
            await r.open();
            await r.guarantees();
          }
          const g = await racers[0]!.guarantees();
          const bodies = racers.map((_, i) => Buffer.from(`lock de ${i}`));
          const wins = await Promise.all(racers.map((r, i) => r.createExclusive('cordiax-sync.lock', bodies[i]!)));
          const stored = readFileSync(path.join(target.backingDir(folder), 'cordiax-sync.lock'));
          if (g.exclusiveCreate) {
            assert.equal(wins.filter(Boolean).length, 1, `winners: ${wins}`);
            assert.deepEqual(stored, bodies[wins.indexOf(true)]);
          } else {
            assert.ok(wins.some(Boolean));
            assert.ok(
              bodies.some((b) => b.equals(stored)),
              "whatever won, the file is one caller's whole body",
            );
          }
          assert.equal(await racers[0]!.createExclusive('cordiax-sync.lock', Buffer.from('otro')), false);
          assert.deepEqual(
            readFileSync(path.join(target.backingDir(folder), 'cordiax-sync.lock')),
            stored,
            'a losing createExclusive changes nothing',
          );
        },
      );

      ctest(
        'exclusive-first-use',
        'first use by 6 devices at once (open, probe, createExclusive together): no device fails',
        async () => {
          const { folder, make } = fresh();
          const racers = Array.from({ length: 6 }, (_, i) => fileT(make(`equipo-${i}`)));
          const res = await Promise.allSettled(
            racers.map(async (r, i) => {
              await r.open();
              await r.guarantees();
              return r.createExclusive('cordiax-sync.lock', Buffer.from(`lock de ${i}`));
            }),
          );
          const errors = res.flatMap((r) =>
            r.status === 'rejected'
              ? [isSyncError(r.reason) ? `${r.reason.code}: ${r.reason.text.en}` : String(r.reason)]
              : [],
          );
          assert.deepEqual(errors, [], "a device probing its server must not make another device's operations fail");
          const wins = res.map((r) => r.status === 'fulfilled' && r.value);
          if ((await racers[0]!.guarantees()).exclusiveCreate)
            assert.equal(wins.filter(Boolean).length, 1, `winners: ${wins}`);
          assert.ok(existsSync(path.join(target.backingDir(folder), 'cordiax-sync.lock')));
        },
      );

      ctest(
        'conditional',
        'conditional writes: a stale version or an ifVersion:null on an existing file is refused; of 5 racers at most one wins (when promised)',
        async () => {
          const { folder, make } = fresh();
          const t = fileT(make());
          await t.open();
          const g = await t.guarantees();
          const first = await t.writeSmall('m.json', Buffer.from('{"g":1}'), { ifVersion: null });
          const v1 = (await t.readSmall('m.json'))!.version ?? first.version;
          if (!g.conditionalWrite) {
            // rclone and the like ignore conditions: the contract is only that the engine is told (guarantees), which it is.
            assert.equal(g.conditionalWrite, false);
            return;
          }
          await rejectsWith(
            t.writeSmall('m.json', Buffer.from('{"g":9}'), { ifVersion: null }),
            ['PRECONDITION_FAILED', 'ALREADY_EXISTS'],
            'ifVersion null on an existing file',
          );
          await t.writeSmall('m.json', Buffer.from('{"g":2}'), { ifVersion: v1 });
          await rejectsWith(
            t.writeSmall('m.json', Buffer.from('{"g":3}'), { ifVersion: v1 }),
            ['PRECONDITION_FAILED'],
            'a stale version',
          );
          assert.equal(readFileSync(path.join(target.backingDir(folder), 'm.json'), 'utf8'), '{"g":2}');
          const v2 = (await t.readSmall('m.json'))!.version;
          const racers = Array.from({ length: 5 }, (_, i) => fileT(make(`equipo-${i}`)));
          await Promise.all(racers.map((r) => r.open()));
          const res = await Promise.allSettled(
            racers.map((r, i) => r.writeSmall('m.json', Buffer.from(`{"g":3,"w":${i}}`), { ifVersion: v2 })),
          );
          const won = res.map((r, i) => (r.status === 'fulfilled' ? i : -1)).filter((i) => i >= 0);
          assert.ok(won.length <= 1, `compare-and-swap let ${won.length} writers through`);
          for (const r of res)
            if (r.status === 'rejected')
              assert.ok(
                isSyncError(r.reason) && ['PRECONDITION_FAILED', 'LOCKED'].includes(r.reason.code),
                String(r.reason),
              );
          const final = readFileSync(path.join(target.backingDir(folder), 'm.json'), 'utf8');
          assert.equal(final, won.length ? `{"g":3,"w":${won[0]}}` : '{"g":2}');
        },
      );

      ctest(
        'transfer',
        'upload / download: empty and 6 MiB objects byte-identical, progress up to the size, verify and no-replace refusals leave nothing behind',
        async () => {
          const { folder, make } = fresh();
          const t = fileT(make());
          await t.open();
          await t.mkdirp('versions');
          const dir = tmpDir();
          const dest = target.backingDir(folder);
          for (const size of [0, 6 * 1024 * 1024 + 123]) {
            const local = path.join(dir, `in-${size}.db`);
            writeFileSync(local, randomBytes(size));
            const hash = await sha256File(local);
            const name = `versions/objeto ${size} ñ.db`;
            const up: number[] = [];
            // The read-back of what landed reports as phase 'verify' (the bytes start again): the upload alone here.
            const onProgress = (p: { bytes: number; phase?: string }) => p.phase !== 'verify' && up.push(p.bytes);
            const r = await t.upload(local, name, { size, sha256: hash }, { onProgress });
            assert.equal(r.size, size);
            if (r.sha256) assert.equal(r.sha256, hash);
            assert.equal(await sha256File(path.join(dest, name)), hash, 'the bytes on the server');
            if (size > 0) {
              assert.equal(up.at(-1), size, 'upload progress ends at the size');
              assert.deepEqual(
                up,
                [...up].sort((x, y) => x - y),
                'upload progress never goes back',
              );
            }
            const back = path.join(dir, `out-${size}.db`);
            const down: number[] = [];
            const d = await t.download(name, back, { onProgress: (p) => down.push(p.bytes) });
            assert.equal(d.size, size);
            assert.equal(d.sha256, hash);
            assert.equal(await sha256File(back), hash);
            assert.equal(statSync(back).mode & 0o077, 0, 'downloaded file is private (0600)');
            if (size > 0) assert.equal(down.at(-1), size, 'download progress ends at the size');
          }
          // No replace by default: ALREADY_EXISTS and the target untouched.
          const existing = `versions/objeto ${6 * 1024 * 1024 + 123} ñ.db`;
          const before = await sha256File(path.join(dest, existing));
          const other = path.join(dir, 'other.db');
          writeFileSync(other, randomBytes(1000));
          await rejectsWith(
            t.upload(other, existing, { size: 1000, sha256: await sha256File(other) }),
            ['ALREADY_EXISTS'],
            'upload onto an existing name',
          );
          assert.equal(await sha256File(path.join(dest, existing)), before);
          // What landed differs from what was expected: VERIFY_FAILED, nothing at the target, no temp file left.
          await rejectsWith(
            t.upload(other, 'versions/mal.db', { size: 1000, sha256: '0'.repeat(64) }),
            ['VERIFY_FAILED'],
            'upload with a wrong sha256',
          );
          await rejectsWith(
            t.upload(other, 'versions/mal2.db', { size: 999, sha256: await sha256File(other) }),
            ['VERIFY_FAILED'],
            'upload with a wrong size',
          );
          assert.equal(existsSync(path.join(dest, 'versions/mal.db')), false);
          assert.equal(existsSync(path.join(dest, 'versions/mal2.db')), false);
          assert.deepEqual(leftovers(path.join(dest, 'versions')), []);
          // replace: true does replace.
          await t.upload(other, existing, { size: 1000, sha256: await sha256File(other) }, { replace: true });
          assert.equal(await sha256File(path.join(dest, existing)), await sha256File(other));
        },
      );

      ctest(
        'rename',
        'rename: no replace refuses an existing target (both intact); replace swaps; missing source NOT_FOUND; remove is idempotent',
        async () => {
          const { folder, make } = fresh();
          const t = fileT(make());
          await t.open();
          const dest = target.backingDir(folder);
          await t.writeSmall('a b.json', Buffer.from('A'));
          await t.writeSmall('c ñ.json', Buffer.from('C'));
          await rejectsWith(t.rename('a b.json', 'c ñ.json'), ['ALREADY_EXISTS'], 'rename onto an existing name');
          assert.equal(readFileSync(path.join(dest, 'a b.json'), 'utf8'), 'A');
          assert.equal(readFileSync(path.join(dest, 'c ñ.json'), 'utf8'), 'C');
          await t.rename('a b.json', 'c ñ.json', { replace: true });
          assert.equal(readFileSync(path.join(dest, 'c ñ.json'), 'utf8'), 'A');
          assert.equal(existsSync(path.join(dest, 'a b.json')), false);
          await rejectsWith(t.rename('no-existe.json', 'x.json'), ['NOT_FOUND'], 'rename of a missing file');
          await t.rename('c ñ.json', 'nuevo.json');
          assert.equal(readFileSync(path.join(dest, 'nuevo.json'), 'utf8'), 'A');
          await t.remove('nuevo.json');
          await t.remove('nuevo.json');
          assert.equal(existsSync(path.join(dest, 'nuevo.json')), false);
        },
      );

      ctest(
        'concurrent',
        'concurrent callers: 4 transports upload 4 different objects at once, every one byte-identical',
        async () => {
          const { folder, make } = fresh();
          const ts = Array.from({ length: 4 }, (_, i) => fileT(make(`equipo-${i}`)));
          await Promise.all(ts.map((t) => t.open()));
          await ts[0]!.mkdirp('versions');
          const dir = tmpDir();
          const files = await Promise.all(
            ts.map(async (_, i) => {
              const f = path.join(dir, `c${i}.db`);
              writeFileSync(f, randomBytes(700_000 + i));
              return { f, sha: await sha256File(f), size: 700_000 + i };
            }),
          );
          await Promise.all(
            ts.map((t, i) =>
              t.upload(files[i]!.f, `versions/c${i}.db`, { size: files[i]!.size, sha256: files[i]!.sha }),
            ),
          );
          for (const [i, x] of files.entries())
            assert.equal(await sha256File(path.join(target.backingDir(folder), `versions/c${i}.db`)), x.sha);
          assert.deepEqual(leftovers(path.join(target.backingDir(folder), 'versions')), []);
        },
      );

      ctest('probe', '"Probar Conexión": ok with a real round trip, and it leaves no probe file behind', async () => {
        const { folder, make } = fresh();
        const t = fileT(make());
        const r = await t.test();
        assert.equal(r.ok, true, JSON.stringify(r.error));
        assert.ok(r.steps.length >= 3 && r.steps.every((s) => s.ok || s.skipped), JSON.stringify(r.steps));
        const dir = target.backingDir(folder);
        const left = existsSync(dir) ? readdirSync(dir) : [];
        assert.deepEqual(
          left.filter((n) => !n.startsWith('.')),
          [],
        );
      });
    }

    engineScenarios(() => target, fresh, ctest, opts);
  });
}

/** push, idle poll within budget, pull, push back, conflict: on any FileTransport or SyncEndpoint. */
function engineScenarios(
  target: () => ContractTarget,
  fresh: () => { folder: string; make: (dev?: string) => FileTransport | SyncEndpoint },
  ctest: (id: ContractTestId, title: string, fn: () => Promise<void>) => void,
  opts: ContractOptions,
): void {
  const device = (name: string, t: FileTransport | SyncEndpoint) => {
    const home = tmpDir(`cx-contract-${name}-`);
    const db = path.join(home, 'cordiax.db');
    const log = new EventLog({ dir: path.join(home, 'logs') });
    // The engine's progress events (src/engine/operation.ts ProgressData): bytes done in the phase, as `bytes` here.
    const progress: Array<{ phase: string; bytes: number; total?: number }> = [];
    log.subscribe((e) => {
      const d = e.data as { phase: string; done?: number; total?: number } | undefined;
      if (e.type === 'progress' && d && d.done !== undefined) progress.push({ ...d, bytes: d.done });
    });
    const engine = new SyncEngine({
      transport: t,
      databasePath: db,
      statePath: path.join(home, 'sync_state.json'),
      device: name,
      log,
      keepVersions: 5,
      direction: 'bidirectional',
      tmpDir: tmpDir(),
    });
    return { home, db, log, engine, progress };
  };
  const manifest = (folder: string) =>
    JSON.parse(readFileSync(path.join(target().backingDir(folder), target().manifestName), 'utf8')) as {
      generation: number;
      sha256: string;
      size: number;
      file: string;
      device: string;
    };

  ctest(
    'engine-sync',
    'engine: push (progress to the end), idle poll within budget, pull (progress to the end), push back',
    async () => {
      const { folder, make } = fresh();
      const a = device('equipoA', make('equipoA'));
      makeTestDb(a.db, 100, { tag: 'A' });
      makeLargeDb(a.db, 3 * 1024 * 1024); // a 3 MiB table beside `notas`: long enough for several progress events
      addRows(a.db, ['fila-A-1', 'fila-A-2']);
      const r1 = await a.engine.sync();
      assert.equal(r1.action, 'push');
      const m1 = manifest(folder);
      assert.equal(m1.generation, 1);
      assert.equal(await sha256File(path.join(target().backingDir(folder), m1.file)), m1.sha256);
      assert.equal(r1.bytesUp, m1.size);
      const up = a.progress.filter((p) => p.phase === 'upload');
      assert.ok(up.length >= 1, 'a real upload emits progress');
      assert.equal(
        up.at(-1)!.bytes,
        m1.size,
        `the last upload progress reports every byte (${JSON.stringify(up.at(-1))})`,
      );
      assert.deepEqual(
        up.map((p) => p.bytes),
        up.map((p) => p.bytes).sort((x, y) => x - y),
      );

      // Idle poll: a fresh transport (as after a restart), opened first; then one sync with nothing changed.
      const counted = counting(make('equipoA'));
      const idleEngine = new SyncEngine({
        transport: counted.t,
        databasePath: a.db,
        statePath: path.join(a.home, 'sync_state.json'),
        device: 'equipoA',
        log: a.log,
        tmpDir: tmpDir(),
      });
      await counted.t.open();
      for (const k of Object.keys(counted.calls)) delete counted.calls[k];
      const wire = target().wire;
      wire?.resetCounters();
      const idle = await idleEngine.sync();
      assert.equal(idle.action, 'none');
      assert.equal(idle.bytesUp + idle.bytesDown, 0);
      const calls = Object.keys(counted.calls).sort();
      const allowed = isFile(counted.t) ? ['open', 'readSmall'] : ['capabilities', 'head', 'open'];
      assert.ok(
        calls.every((c) => allowed.includes(c)),
        `idle poll called ${JSON.stringify(counted.calls)}`,
      );
      // File remotes: the manifest plus the (absent) next commit record, which catches a writer that died between
      // creating its record and publishing the manifest; endpoints: one head.
      const reads = (counted.calls.readSmall ?? 0) + (counted.calls.head ?? 0);
      assert.equal(
        reads,
        isFile(counted.t) ? 2 : 1,
        `idle poll: the manifest and the next commit record (${JSON.stringify(counted.calls)})`,
      );
      if (wire) {
        const bytes = wire.bytesUp + wire.bytesDown;
        assert.ok(
          bytes < 4096 && bytes < m1.size / 100,
          `idle poll moved ${bytes} bytes on the wire (database ${m1.size})`,
        );
        const allowed = opts.connectionPerRequest ? wire.httpRequests : 1;
        assert.ok(wire.connections <= allowed, `idle poll opened ${wire.connections} connections`);
      }

      const b = device('equipoB', make('equipoB'));
      const r2 = await b.engine.sync();
      assert.equal(r2.action, 'pull');
      assert.equal(r2.bytesDown, m1.size);
      assert.deepEqual(readRows(b.db), readRows(a.db));
      const down = b.progress.filter((p) => p.phase === 'download');
      assert.ok(down.length >= 1, 'a real download emits progress');
      assert.equal(
        down.at(-1)!.bytes,
        m1.size,
        `the last download progress reports every byte (${JSON.stringify(down.at(-1))})`,
      );

      addRows(b.db, ['fila-B-1']);
      assert.equal((await b.engine.sync()).action, 'push');
      assert.equal(manifest(folder).generation, 2);
      assert.equal((await a.engine.sync()).action, 'pull');
      assert.deepEqual(readRows(a.db), readRows(b.db));
      assert.equal(readRows(a.db).at(-1), 'fila-B-1');
    },
  );

  ctest(
    'engine-conflict',
    'engine: both sides changed -> conflict; both versions kept (local untouched, remote untouched, conflict copy holds the remote)',
    async () => {
      const { folder, make } = fresh();
      const a = device('equipoC', make('equipoC'));
      const b = device('equipoD', make('equipoD'));
      makeTestDb(a.db, 20, { tag: 'base' });
      assert.equal((await a.engine.sync()).action, 'push');
      assert.equal((await b.engine.sync()).action, 'pull');
      addRows(a.db, ['solo-en-A']);
      addRows(b.db, ['solo-en-B']);
      assert.equal((await a.engine.sync()).action, 'push');
      const remoteBefore = manifest(folder);
      const localB = readRows(b.db);
      const r = await b.engine.sync();
      assert.equal(r.action, 'conflict');
      assert.ok(r.conflictCopy && existsSync(r.conflictCopy), `conflict copy: ${r.conflictCopy}`);
      assert.deepEqual(readRows(r.conflictCopy!), readRows(a.db), 'the conflict copy holds the remote version');
      assert.deepEqual(readRows(b.db), localB, 'the local database is untouched');
      assert.deepEqual(manifest(folder), remoteBefore, 'the remote is untouched');
      assert.equal((await b.engine.sync()).action, 'conflict', 'no sync until the user resolves');
      // The user keeps the local version: it becomes the next generation; A then pulls it.
      await b.engine.resolve('local');
      const after = await b.engine.sync();
      assert.ok(after.action === 'push' || after.action === 'none', after.action);
      assert.equal(manifest(folder).generation, remoteBefore.generation + 1);
      assert.equal((await a.engine.sync()).action, 'pull');
      assert.ok(readRows(a.db).includes('solo-en-B'));
    },
  );
}
