/**
 * One soak client (its own process): a SyncService on $CORDIAX_HOME that, until SOAK_SECONDS pass or SOAK_ITERS
 * rounds are done, sleeps a random time, sometimes commits 1-3 random rows (mode "inline") and sometimes syncs. A conflict is
 * resolved with «Conservar las dos» (the local side goes on, the remote side stays in the conflict copy). Every committed row goes to
 * ledger.txt after its commit. With SOAK_WRITER=external another process (soak-writer.ts) writes instead, at the
 * same time as the syncs, like the Cordiax app does.
 * Prints one JSON line with its counts at the end.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../../src/service.js';
import { toSyncError } from '../../src/errors.js';
import { addNotes, rng, sleep } from './util.js';

const home = process.env.CORDIAX_HOME!;
const id = process.env.SOAK_ID ?? 'c';
const seconds = Number(process.env.SOAK_SECONDS ?? 10);
const iters = Number(process.env.SOAK_ITERS ?? 1000);
const external = process.env.SOAK_WRITER === 'external';
/** Smallest gap between two syncs of this client (the scheduler's floor is 60 s; 0 = as fast as possible). */
const minGapMs = Number(process.env.SOAK_MIN_GAP_MS ?? 0);
let lastSync = 0;
const r = rng(Number(process.env.SOAK_SEED ?? 1));
const db = path.join(home, 'cordiax.db');
const ledger = path.join(home, 'ledger.txt');

const counts = { committed: 0, syncs: 0, push: 0, pull: 0, none: 0, conflict: 0, errors: 0, errorCodes: {} as Record<string, number> };
const svc = await SyncService.open({ home, embeddedServer: false });
const deadline = Date.now() + seconds * 1000;
let n = 0;

async function syncOnce(): Promise<void> {
  counts.syncs++;
  try {
    const out = await svc.syncNow();
    counts[out.action as 'push' | 'pull' | 'none' | 'conflict']++;
    if (out.action === 'conflict') await svc.resolve('both');
  } catch (err) {
    const e = toSyncError(err);
    counts.errors++;
    counts.errorCodes[e.code] = (counts.errorCodes[e.code] ?? 0) + 1;
  }
}

for (let i = 0; i < iters && Date.now() < deadline; i++) {
  await sleep(Math.floor(r() * 250));
  if (!external && r() < 0.5) {
    const rows = Array.from({ length: 1 + Math.floor(r() * 3) }, () => `${id}-${n++}`);
    addNotes(db, rows);
    appendFileSync(ledger, rows.join('\n') + '\n');
    counts.committed += rows.length;
  }
  if (r() < 0.6 && Date.now() - lastSync >= minGapMs) {
    lastSync = Date.now();
    await syncOnce();
  }
}
await svc.close();
process.stdout.write(JSON.stringify(counts) + '\n');
process.exit(0);
