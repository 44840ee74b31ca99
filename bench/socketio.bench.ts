/**
 * Socket.IO, loopback: 100 MiB through protocol 2 (binary chunks, acks, streamed from disk) against protocol 1 (the
 * spec's whole-database hex message) in the same run, each transfer with a fresh server; client and server each in
 * their own process so each peak RSS is its own (plain node on dist/ when built and fresh, as `npm run bench` does;
 * tsx on src/ otherwise). Then change-to-stored latency for a 10 MB database: a row is committed, the database
 * watcher (100 ms debounce, as a service would) starts an engine sync, and the time until a second client receives
 * the server's `sync_update` for the new version is taken; median over 20 changes.
 * Goals (issue 5): protocol 2 >= 4x protocol 1 and >= 100 MiB/s; RSS < 150 MB per side; median latency < 500 ms.
 * BENCH_ROUNDS (default 3) rounds alternate the protocols; medians are reported.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncEngine } from '../src/engine/engine.js';
import { watchDatabase } from '../src/engine/watcher.js';
import { silentLogger } from '../src/log/events.js';
import { addRows, makeLargeDb, makeTestDb, tmpDir } from '../test/helpers/system.js';
import { endpoint, nextEvent, runClientChild, startServerChild, type Code } from '../test/helpers/socketio.js';

const SIZE_MIB = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** dist/ only when it is at least as new as every source file it is built from (a stale build would mislead). */
function distIsFresh(): boolean {
  const built = path.join(root, 'dist/transports/socketio/endpoint.js');
  if (!existsSync(built)) return false;
  const t = statSync(built).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  return ['src/server', 'src/transports/socketio', 'src/db'].every((d) => newest(path.join(root, d)) <= t);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 1) => n.toFixed(d);

async function transfer(file: string, protocol: 1 | 2, code: Code) {
  // Protocol 1 on our server is limited to 8 MiB by default (one message in memory): raised for the comparison.
  const server = await startServerChild({ protocol1MaxBytes: 128 * 1024 * 1024 }, code);
  try {
    const r = await runClientChild({ url: server.url, push: file, forceProtocol: protocol === 1 ? 1 : undefined }, code);
    if (r.error) throw new Error(`protocol ${protocol}: ${JSON.stringify(r.error)}`);
    return { mibps: SIZE_MIB / ((r.pushMs as number) / 1000), clientRss: r.peakRssMb, serverRss: await server.stop() };
  } catch (err) {
    server.kill();
    throw err;
  }
}

async function latency(code: Code): Promise<number[]> {
  const dir = tmpDir('cx-bench-sio-');
  const db = path.join(dir, 'cordiax.db');
  makeTestDb(db, 100);
  makeLargeDb(db, 10 * 1000 * 1000);
  const server = await startServerChild({}, code);
  const a = endpoint(server.url, {}, {}, 'equipo-a');
  const b = endpoint(server.url, {}, {}, 'equipo-b');
  const engine = new SyncEngine({ transport: a.ep, databasePath: db, statePath: path.join(dir, 'state.json'), device: 'equipo-a', log: silentLogger, tmpDir: dir });
  let timer: NodeJS.Timeout | null = null;
  const stop = watchDatabase(db, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void engine.sync().catch((e: Error) => console.error(e.message)), 100);
  });
  const out: number[] = [];
  try {
    await engine.sync();
    await b.ep.open();
    for (let i = 0; i < 20; i++) {
      const stored = nextEvent(b.ep, 'sync_update');
      const t = performance.now();
      addRows(db, [`cambio-${i}`]);
      await stored;
      out.push(performance.now() - t);
      while (engine.busy) await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    stop();
    await a.ep.close();
    await b.ep.close();
    await server.stop();
  }
  return out;
}

const code: Code = distIsFresh() ? 'dist' : 'src';
const dir = tmpDir('cx-bench-sio-');
const file = path.join(dir, 'cien.bin');
const fd = openSync(file, 'w', 0o600);
for (let i = 0; i < SIZE_MIB; i++) writeSync(fd, randomBytes(1024 * 1024));
closeSync(fd);

console.log(`Socket.IO, ${SIZE_MIB} MiB, loopback, ${ROUNDS} rounds, children on ${code === 'dist' ? 'dist/ (plain node)' : 'src/ (tsx: adds ~30 MB RSS)'}`);
const runs: Record<1 | 2, Array<{ mibps: number; clientRss: number; serverRss: number }>> = { 1: [], 2: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const p of [2, 1] as const) runs[p].push(await transfer(file, p, code));
}
const row = (p: 1 | 2) => {
  const xs = runs[p];
  const m = { mibps: median(xs.map((x) => x.mibps)), clientRss: Math.max(...xs.map((x) => x.clientRss)), serverRss: Math.max(...xs.map((x) => x.serverRss)) };
  console.log(`  protocol ${p} (${p === 2 ? 'binary chunks + acks' : 'one hex message   '}): ${fmt(m.mibps).padStart(6)} MiB/s   peak RSS client ${m.clientRss} MB, server ${m.serverRss} MB`);
  return m;
};
const p2 = row(2);
const p1 = row(1);
const ratio = p2.mibps / p1.mibps;
console.log(`  ratio protocol 2 / protocol 1: ${fmt(ratio, 2)}x`);

const lat = await latency(code);
const med = median(lat);
console.log(`Change-to-stored, 10 MB database, 20 changes: median ${fmt(med, 0)} ms (min ${fmt(Math.min(...lat), 0)}, max ${fmt(Math.max(...lat), 0)}; includes the 100 ms debounce)`);

const goals: Array<[string, boolean]> = [
  ['protocol 2 >= 4x protocol 1', ratio >= 4],
  ['protocol 2 >= 100 MiB/s', p2.mibps >= 100],
  ['protocol 2 RSS < 150 MB per side', p2.clientRss < 150 && p2.serverRss < 150],
  ['median change-to-stored < 500 ms', med < 500],
];
for (const [name, ok] of goals) console.log(`  ${ok ? 'OK  ' : 'MISS'} ${name}`);
