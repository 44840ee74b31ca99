/**
 * SMB, 200 MiB put and get against the same Samba in one run: our client (src/smb) against `smbclient`, with
 * Samba's defaults, with `server signing = mandatory`, and with SMB3 + `smb encrypt = required`.
 * Goals (issue 4): within 1.5x of smbclient, our peak RSS under 150 MB.
 *
 * Each transfer is its own process, timed from outside (wall time, start-up and login included, for both tools: the
 * ratio uses these) and measured with /usr/bin/time for peak RSS; ours also reports its in-process time. Ours runs as plain node on dist/ when the build is fresh (as `npm run
 * bench` does), tsx otherwise. Passwords go through the environment (ours) and an authfile (smbclient), never argv.
 * Medians of BENCH_ROUNDS (default 5) alternating rounds. Needs root (Samba on 445).
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync, writeFileSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, type Run } from './lib/measure.js';
import { startSamba, type SambaVariant } from '../test/helpers/samba.js';
import { tmpDir } from '../test/helpers/system.js';

const SIZE_MIB = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distIndex = path.join(root, 'dist/smb/index.js');

function distIsFresh(): boolean {
  if (!existsSync(distIndex)) return false;
  const built = statSync(distIndex).mtimeMs;
  const dir = path.join(root, 'src/smb');
  return readdirSync(dir).every((f) => statSync(path.join(dir, f)).mtimeMs <= built);
}
const useDist = distIsFresh();
const modUrl = useDist ? pathToFileURL(distIndex).href : pathToFileURL(path.join(root, 'src/smb/index.ts')).href;

// One transfer with our client; the password comes from the environment.
const CHILD = `
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
const { SmbClient } = await import(process.argv[1]);
const [op, host, user, share, local, remote] = process.argv.slice(2);
const t0 = performance.now();
const c = await SmbClient.connect({ host, port: 445, username: user, password: process.env.CX_SMB_PASSWORD });
const t = await c.treeConnect(share);
if (op === 'put') await t.upload(remote, createReadStream(local, { highWaterMark: 1 << 20 }));
else { const { stream } = await t.createReadStream(remote); await pipeline(stream, createWriteStream(local)); }
await c.close();
process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000 }));
`;

/** Runs one transfer under /usr/bin/time: wall seconds, peak RSS, and (ours) the time measured inside the process. */
function timed(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run & { inner?: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 16 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed (${r.status}): ${r.stderr.slice(-1500)}`);
  const inner = /^\{"seconds":([\d.]+)\}$/.exec(r.stdout.trim())?.[1];
  return { seconds, peakRssMb: Math.round(Number(r.stderr.trim().split('\n').pop()) / 1024), inner: inner ? Number(inner) : undefined };
}

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

const fmt = (r: { seconds: number; peakRssMb: number }) => `${r.seconds.toFixed(2)} s, ${((SIZE_MIB / r.seconds) | 0)} MiB/s, RSS ${r.peakRssMb} MB`;
console.log(`SMB bench: ${SIZE_MIB} MiB, ${ROUNDS} rounds, ours on ${useDist ? 'dist (node)' : 'src (tsx)'}`);
let worstRatio = 0;
let worstRss = 0;
for (const variant of ['default', 'signing', 'encrypt'] as SambaVariant[]) {
  const s = await startSamba(variant);
  try {
    const env = { ...process.env, CX_SMB_PASSWORD: s.password };
    const nodeArgs = (op: string, local: string, remote: string) => [...(useDist ? [] : ['--import', 'tsx']), '--input-type=module', '-e', CHILD, modUrl, op, s.host, s.user, s.share, local, remote];
    const runs: Record<string, Array<Run & { inner?: number }>> = { oursPut: [], oursGet: [], peerPut: [], peerGet: [] };
    // Dirty pages of the previous transfer are flushed first, so one tool does not pay for the other's writeback.
    const settled = (fn: () => Run) => {
      spawnSync('sync');
      return fn();
    };
    for (let i = 0; i < ROUNDS; i++) {
      runs.oursPut.push(settled(() => timed(process.execPath, nodeArgs('put', src, `ours-${i}.bin`), { env, cwd: root })));
      runs.peerPut.push(settled(() => timed('smbclient', [`//127.0.0.1/${s.share}`, '-A', s.authFile, '-s', s.conf, '-c', `put ${src} peer-${i}.bin`])));
      const oursOut = path.join(work, `ours-${i}.out`);
      const peerOut = path.join(work, `peer-${i}.out`);
      runs.oursGet.push(settled(() => timed(process.execPath, nodeArgs('get', oursOut, `peer-${i}.bin`), { env, cwd: root })));
      runs.peerGet.push(settled(() => timed('smbclient', [`//127.0.0.1/${s.share}`, '-A', s.authFile, '-s', s.conf, '-c', `get ours-${i}.bin ${peerOut}`])));
      // Every byte checked once per round: what we wrote (read by smbclient) and what we read (written by smbclient).
      if ((await sha(oursOut)) !== srcSha || (await sha(peerOut)) !== srcSha) throw new Error(`${variant}: transferred bytes differ`);
      rmSync(oursOut);
      rmSync(peerOut);
    }
    const m = (rs: Array<Run & { inner?: number }>) => ({ seconds: median(rs.map((r) => r.seconds)), peakRssMb: Math.max(...rs.map((r) => r.peakRssMb)), inner: median(rs.map((r) => r.inner ?? NaN)) });
    const [op, pp, og, pg] = [m(runs.oursPut), m(runs.peerPut), m(runs.oursGet), m(runs.peerGet)];
    const putRatio = op.seconds / pp.seconds;
    const getRatio = og.seconds / pg.seconds;
    worstRatio = Math.max(worstRatio, putRatio, getRatio);
    worstRss = Math.max(worstRss, op.peakRssMb, og.peakRssMb);
    console.log(`\n[${variant}]`);
    console.log(`  put  ours ${fmt(op)} | smbclient ${fmt(pp)} | ratio ${putRatio.toFixed(2)}x (ours in-process ${op.inner.toFixed(2)} s: login + transfer, no node start-up)`);
    console.log(`  get  ours ${fmt(og)} | smbclient ${fmt(pg)} | ratio ${getRatio.toFixed(2)}x (ours in-process ${og.inner.toFixed(2)} s)`);
  } finally {
    await s.stop();
  }
}
console.log(`\nworst ratio ours/smbclient ${worstRatio.toFixed(2)}x (goal <= 1.5x), our peak RSS ${worstRss} MB (goal < 150 MB)`);
writeFileSync(path.join(work, 'done'), '');
