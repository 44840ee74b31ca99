/**
 * One schedule's world before the first scheduled step: the profile drawn from the seed, the devices in a temp
 * folder, the first PC's database pushed and every other PC's first pull, all without faults.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateX25519Identity } from '../src/crypto/index.js';
import type { EncryptionConfig } from '../src/config/schema.js';
import { SCHEMA, type Ledger } from './app.js';
import { KNOWN_FAILING, knownMatches, type FaultClass } from './classes.js';
import type { VirtualClock } from './clock.js';
import type { Prng } from './prng.js';
import { RemoteStore, behaviourOf, type ServerMode } from './remote-store.js';
import { SimDevice, World, type Plant } from './world.js';

export interface Profile {
  classes: Set<FaultClass>;
  devices: number;
  mode: ServerMode;
  steps: number;
  keepVersions: number;
}

/** `baseline`: leave out the (class, server) combinations today's engine is known to fail. */
export function drawProfile(
  rng: Prng,
  allowed: readonly FaultClass[],
  opts: { modes?: readonly ServerMode[]; baseline?: boolean } = {},
): Profile {
  const classes = new Set<FaultClass>(allowed.filter((c) => rng.chance(c === 'encryption' ? 0.35 : 0.5)));
  if (opts.baseline) for (const k of KNOWN_FAILING) if (!k.modes) classes.delete(k.cls);
  const mode: ServerMode = opts.modes
    ? rng.pick(opts.modes)
    : classes.has('rclone')
      ? 'rclone'
      : rng.pick(['cas', 'folder'] as const);
  if (opts.baseline) for (const k of knownMatches(classes, mode)) classes.delete(k.cls);
  return { classes, devices: rng.int(2, 3), mode, steps: rng.int(40, 120), keepVersions: 3 };
}

export function describeProfile(p: Profile): string {
  return `devices=${p.devices} server=${p.mode} steps=${p.steps} classes=[${[...p.classes].sort().join(',')}]`;
}

export interface Built {
  world: World;
  ledger: Ledger;
  keys: { identities: string[] } | null;
}

export function build(
  dir: string,
  seed: string,
  rng: Prng,
  profile: Profile,
  clock: VirtualClock,
  plant?: Plant,
): Built {
  const ledger: Ledger = new Map();
  let encryption: EncryptionConfig | undefined;
  let keys: { identities: string[] } | null = null;
  if (profile.classes.has('encryption')) {
    const id = generateX25519Identity();
    const file = path.join(dir, 'identidad.txt');
    writeFileSync(file, `${id.identity}\n`, { mode: 0o600 });
    encryption = { enabled: true, mode: 'x25519', recipients: [id.recipient], identity_file: file };
    keys = { identities: [id.identity] };
  }
  const store = new RemoteStore(profile.mode, plant?.behaviour ?? behaviourOf(profile.mode), clock);
  const world = new World(clock, store, {
    encryption,
    plant,
    keepVersions: profile.keepVersions,
    ledger,
    app: { holdTransactions: profile.classes.has('appTxn'), switchJournal: profile.classes.has('journal') },
  });
  for (let i = 1; i <= profile.devices; i++) {
    const id = `d${i}`;
    const home = path.join(dir, id);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const skew = profile.classes.has('skew') ? rng.pick([0, 1, -1]) * rng.int(150_000, 330_000) : 0;
    const host = profile.classes.has('sameHost') ? os.hostname() : `pc-${id}`;
    world.addDevice(new SimDevice(id, home, skew, { host, pid: 9_000_000 + i }, seed));
  }
  return { world, ledger, keys };
}

/** The first PC creates the database and pushes it; every other PC pulls it, then picks its journal mode. */
export async function firstSyncs(b: Built, rng: Prng): Promise<string[]> {
  const [first, ...others] = b.world.devices;
  const db = new Database(first!.db);
  db.pragma(`journal_mode = ${rng.chance(0.5) ? 'wal' : 'delete'}`);
  db.exec(SCHEMA);
  db.prepare('INSERT INTO items VALUES (?, ?, ?)').run('seed-1', 'seed', 'first row');
  db.close();
  b.ledger.set('seed-1', { device: first!.id, step: 0 });
  for (const d of [first!, ...others]) {
    b.world.startSync(d);
    await b.world.drain(rng);
    if (d !== first) {
      const c = new Database(d.db);
      c.pragma(`journal_mode = ${rng.chance(0.5) ? 'wal' : 'delete'}`);
      c.close();
    }
  }
  const out = [...b.world.trace];
  b.world.trace.length = 0;
  return out;
}
