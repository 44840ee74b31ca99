/**
 * SMB, 200 MiB put and get against the same Samba in one run: our SMB transport (src/transports/smb: the upload the
 * engine uses, which streams to a temp name, reads what landed back to verify size and sha256, then renames it into
 * place; the download hashes on the way) against `smbclient`, with Samba's defaults, with
 * `server signing = mandatory`, and with SMB3 + `smb encrypt = required`. Because our upload also reads the file
 * back, "smbclient put + get" (the same work done by smbclient) is shown beside the plain put.
 * Goals (issue 4): within 1.5x of smbclient, our peak RSS under 150 MB.
 *
 * Each transfer is its own process, timed from outside (wall time, start-up and login included, for both tools: the
 * ratio uses these) and measured with /usr/bin/time (bench/lib/measure.ts) for peak RSS; ours also reports its
 * in-process time. Ours runs as plain node on dist/ when the build is fresh (as `npm run bench` does), tsx otherwise.
 * Passwords go through the environment (ours) and an authfile (smbclient), never argv. Medians of BENCH_ROUNDS
 * (default 5) interleaved rounds. Needs root (Samba on 445).
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  readdirSync,
  statSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, summary, timed, type Run } from './lib/measure.js';
import { startSamba, type SambaVariant } from '../test/helpers/samba.js';
import { tmpDir } from '../test/helpers/system.js';

const SIZE_MIB = Number(process.env.BENCH_MIB ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distIndex = path.join(root, 'dist/transports/smb/index.js');

function distIsFresh(): boolean {
  if (!existsSync(distIndex)) return false;
  const built = statSync(distIndex).mtimeMs;
  return ['src/smb', 'src/transports/smb'].every((d) =>
    readdirSync(path.join(root, d)).every((f) => statSync(path.join(root, d, f)).mtimeMs <= built),
  );
}
const useDist = distIsFresh();
const modUrl = useDist
  ? pathToFileURL(distIndex).href
  : pathToFileURL(path.join(root, 'src/transports/smb/index.ts')).href;

// One transfer through our transport; the password comes from the environment.
const CHILD = `
import os from 'node:os';
const { SmbTransport } = await import(process.argv[1]);
const [op, host, user, share, local, remote, size, sha256] = process.argv.slice(2);
const t0 = performance.now();
const t = new SmbTransport(
  { server: host, share_name: share, username: user, password: process.env.CX_SMB_PASSWORD, domain: '', remote_path: '/', port: 445, timeout_seconds: 120 },
  { log: { emit() {} }, tmpDir: os.tmpdir(), device: 'bench' },
);
await t.open();
if (op === 'put') await t.upload(local, remote, { size: Number(size), sha256 });
else {
  const r = await t.download(remote, local);
  if (r.sha256 !== sha256) throw new Error('download: wrong sha256');
}
await t.close();
process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000 }));
`;

const inner = (r: Run) => Number(/^\{"seconds":([\d.]+)\}$/.exec((r.stdout ?? '').trim())?.[1] ?? NaN);

async function sha(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

const work = tmpDir('cx-smb-bench-');
const src = path.join(work, 'src.bin');
const fd = openSync(src, 'w', 0o600);
for (let i = 0; i < SIZE_MIB; i++) writeSync(fd, randomBytes(1 << 20));
closeSync(fd);
const srcSha = await sha(src);

const fmt = (r: { seconds: number; peakRssMb: number }) =>
  `${r.seconds.toFixed(2)} s, ${(SIZE_MIB / r.seconds) | 0} MiB/s, RSS ${r.peakRssMb} MB`;
console.log(`SMB bench: ${SIZE_MIB} MiB, ${ROUNDS} rounds, ours on ${useDist ? 'dist (node)' : 'src (tsx)'}`);
let worstRatio = 0;
let worstRss = 0;
for (const variant of ['default', 'signing', 'encrypt'] as SambaVariant[]) {
  const s = await startSamba(variant);
  try {
    const env = { ...process.env, CX_SMB_PASSWORD: s.password };
    const nodeArgs = (op: string, local: string, remote: string) => [
      ...(useDist ? [] : ['--import', 'tsx']),
      '--input-type=module',
      '-e',
      CHILD,
      modUrl,
      op,
      s.host,
      s.user,
      s.share,
      local,
      remote,
      String(SIZE_MIB * 1048576),
      srcSha,
    ];
    const runs: Record<string, Run[]> = { oursPut: [], oursGet: [], peerPut: [], peerGet: [] };
    // Dirty pages of the previous transfer are flushed first, so one tool does not pay for the other's writeback.
    const settled = (fn: () => Run) => {
      spawnSync('sync');
      return fn();
    };
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved, and the order of the two tools swaps every round.
      const puts = [
        () =>
          runs.oursPut!.push(
            settled(() => timed(process.execPath, nodeArgs('put', src, `ours-${i}.bin`), { env, cwd: root })),
          ),
        () =>
          runs.peerPut!.push(
            settled(() =>
              timed('smbclient', [
                `//127.0.0.1/${s.share}`,
                '-A',
                s.authFile,
                '-s',
                s.conf,
                '-c',
                `put ${src} peer-${i}.bin`,
              ]),
            ),
          ),
      ];
      for (const f of i % 2 ? puts.reverse() : puts) f();
      const oursOut = path.join(work, `ours-${i}.out`);
      const peerOut = path.join(work, `peer-${i}.out`);
      const gets = [
        () =>
          runs.oursGet!.push(
            settled(() => timed(process.execPath, nodeArgs('get', oursOut, `peer-${i}.bin`), { env, cwd: root })),
          ),
        () =>
          runs.peerGet!.push(
            settled(() =>
              timed('smbclient', [
                `//127.0.0.1/${s.share}`,
                '-A',
                s.authFile,
                '-s',
                s.conf,
                '-c',
                `get ours-${i}.bin ${peerOut}`,
              ]),
            ),
          ),
      ];
      for (const f of i % 2 ? gets.reverse() : gets) f();
      // Every byte checked once per round: what we wrote (read by smbclient) and what we read (written by smbclient).
      if ((await sha(oursOut)) !== srcSha || (await sha(peerOut)) !== srcSha)
        throw new Error(`${variant}: transferred bytes differ`);
      rmSync(oursOut);
      rmSync(peerOut);
    }
    const m = (rs: Run[]) => ({ ...summary(rs), inner: median(rs.map(inner)) });
    const [op, pp, og, pg] = [m(runs.oursPut!), m(runs.peerPut!), m(runs.oursGet!), m(runs.peerGet!)];
    const peerPutGet = {
      seconds: median(runs.peerPut!.map((r, i) => r.seconds + runs.peerGet![i]!.seconds)),
      peakRssMb: Math.max(pp.peakRssMb, pg.peakRssMb),
    };
    const putRatio = op.seconds / pp.seconds;
    const getRatio = og.seconds / pg.seconds;
    worstRatio = Math.max(worstRatio, putRatio, getRatio);
    worstRss = Math.max(worstRss, op.peakRssMb, og.peakRssMb);
    console.log(`\n[${variant}]`);
    console.log(
      `  put  ours ${fmt(op)} | smbclient put ${fmt(pp)} | ratio ${putRatio.toFixed(2)}x (ours in-process ${op.inner.toFixed(2)} s: login + upload + read-back verify + rename, no node start-up)`,
    );
    console.log(
      `       vs smbclient put + get (the same work: write, then read back) ${peerPutGet.seconds.toFixed(2)} s | ratio ${(op.seconds / peerPutGet.seconds).toFixed(2)}x`,
    );
    console.log(
      `  get  ours ${fmt(og)} | smbclient ${fmt(pg)} | ratio ${getRatio.toFixed(2)}x (ours in-process ${og.inner.toFixed(2)} s)`,
    );
  } finally {
    await s.stop();
  }
}
console.log(
  `\nworst ratio ours/smbclient ${worstRatio.toFixed(2)}x (goal <= 1.5x), our peak RSS ${worstRss} MB (goal < 150 MB)`,
);
writeFileSync(path.join(work, 'done'), '');
