/**
 * Snapshot + hash of a ~200 MB database: ours (VACUUM INTO + quick_check + streamed sha256, in a child process) vs
 * `sqlite3 DB ".backup X"` (copy only) and `.backup` + `sha256sum`, measured in the same run in interleaved rounds
 * (each round runs all three, order rotated; dirty pages flushed before each), medians of BENCH_ROUNDS (default 5).
 * Prints ratios and peak RSS.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { makeLargeDb, tmpDir } from '../test/helpers/system.js';
import { spawnSync } from 'node:child_process';
import { interleaved, row, summary, timed } from './lib/measure.js';

const SIZE = Number(process.env.BENCH_DB_MB ?? 200) * 1024 * 1024;
const dir = tmpDir('cx-bench-snap-');
const db = path.join(dir, 'cordiax.db');
console.log(`Creating a ${Math.round(SIZE / 1048576)} MB database...`);
makeLargeDb(db, SIZE);

// Ours runs from dist/ (npm run bench builds first), so tsx's own memory is not counted.
const script = path.join(dir, 'ours.mjs');
writeFileSync(
  script,
  `import { takeSnapshot } from ${JSON.stringify(path.resolve('dist/db/snapshot.js'))};\nconst s = await takeSnapshot(${JSON.stringify(db)}, { tmpParent: ${JSON.stringify(dir)} });\nconsole.log(s.sha256);\nawait s.dispose();\n`,
);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const runs = await interleaved(
  ROUNDS,
  {
    peer: () => timed('sqlite3', [db, `.backup ${path.join(dir, 'peer.db')}`]),
    peerHash: () =>
      timed('sh', [
        '-c',
        `sqlite3 "${db}" ".backup ${path.join(dir, 'peer2.db')}" && sha256sum "${path.join(dir, 'peer2.db')}" >/dev/null`,
      ]),
    ours: () => timed(process.execPath, [script]),
  },
  () => spawnSync('sync'),
);
const [peer, peerHash, ours] = [summary(runs.peer), summary(runs.peerHash), summary(runs.ours)];
console.log(`${ROUNDS} interleaved rounds, medians:`);
const mb = SIZE / 1048576;
console.log(row('sqlite3 .backup (peer)', peer, peer, mb));
console.log(row('sqlite3 .backup + sha256sum', peerHash, peer, mb));
console.log(row('ours: VACUUM INTO + quick_check + sha256', ours, peer, mb));
console.log(
  `ratio ours / sqlite3 .backup: ${(ours.seconds / peer.seconds).toFixed(2)}x; ours / (.backup + sha256sum): ${(ours.seconds / peerHash.seconds).toFixed(2)}x; peak RSS ours ${ours.peakRssMb} MB vs ${peer.peakRssMb} MB`,
);
