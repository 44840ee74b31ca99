// WebDAV transfer bench: a 300 MiB file up to and down from one local Apache mod_dav, our transport against
// `rclone copyto` and `curl`, in the same run. Every tool runs as its own process, timed whole (start-up included)
// and measured with /usr/bin/time -f %M for peak RSS. Median of RUNS. Credentials never go in process arguments.
//
// Our upload is more than a PUT: it also reads the file back (GET) to verify its sha256 before the MOVE into place,
// so the table also shows "curl PUT + GET", the same work done by curl.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildDavChild, randomFile, startApache } from '../test/helpers/apache.js';
import { sha256File, tmpDir } from '../test/helpers/system.js';
import { median, timed, type Run } from './lib/measure.js';

const SIZE = 300 * 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function main() {
  const a = await startApache();
  const dir = tmpDir('cx-bench-dav-');
  const src = await randomFile(path.join(dir, 'src.bin'), SIZE);
  const sha256 = await sha256File(src);
  const out = path.join(dir, 'out.bin');
  const base = `${a.origin}/dav/bench/`;
  const curlAuth = `user = "${a.user}:${a.password.replace(/"/g, '\\"')}"\n`;
  spawnSync('curl', ['-sS', '-K', '-', '-X', 'MKCOL', base], { input: curlAuth });

  // rclone: the remote is defined by environment variables, the password obscured through stdin.
  const obscured = spawnSync('rclone', ['obscure', '-'], { encoding: 'utf8', input: a.password }).stdout.trim();
  const rcloneEnv = {
    ...process.env,
    RCLONE_CONFIG: path.join(dir, 'rclone.conf'),
    RCLONE_CONFIG_BENCH_TYPE: 'webdav',
    RCLONE_CONFIG_BENCH_URL: `${a.origin}/dav/`,
    RCLONE_CONFIG_BENCH_VENDOR: 'other',
    RCLONE_CONFIG_BENCH_USER: a.user,
    RCLONE_CONFIG_BENCH_PASS: obscured,
  };

  const child = buildDavChild(dir);
  const job = (op: 'upload' | 'download', file: string) =>
    JSON.stringify({
      url: `${a.origin}/dav/`,
      user: a.user,
      remote_path: '/bench/',
      op,
      file,
      rel: 'ours.bin',
      size: SIZE,
      sha256,
      tmpDir: dir,
    });
  const ours = (op: 'upload' | 'download', file: string): Run => {
    const r = timed(process.execPath, [child], {
      env: { ...process.env, CX_DAV_JOB: job(op, file), CX_DAV_PASSWORD: a.password },
    });
    const res = JSON.parse(r.stdout!.trim().split('\n').pop()!) as { result: { sha256: string }; ms: number };
    if (res.result.sha256 !== sha256) throw new Error('our transfer has the wrong sha256');
    return r;
  };

  const results: Record<string, { up: Run[]; down: Run[] }> = {
    curl: { up: [], down: [] },
    rclone: { up: [], down: [] },
    ours: { up: [], down: [] },
    'curl PUT + GET': { up: [], down: [] },
  };
  for (let i = 0; i < RUNS; i++) {
    const cu = timed('curl', ['-sS', '-K', '-', '-T', src, '-o', '/dev/null', `${base}curl.bin`], { input: curlAuth });
    results.curl!.up.push(cu);
    const cd = timed('curl', ['-sS', '-K', '-', '-o', out, `${base}curl.bin`], { input: curlAuth });
    results.curl!.down.push(cd);
    results['curl PUT + GET']!.up.push({
      seconds: cu.seconds + cd.seconds,
      peakRssMb: Math.max(cu.peakRssMb, cd.peakRssMb),
    });
    rmSync(out, { force: true });

    results.rclone!.up.push(
      timed('rclone', ['copyto', '--ignore-times', src, 'bench:bench/rclone.bin'], { env: rcloneEnv }),
    );
    results.rclone!.down.push(
      timed('rclone', ['copyto', '--ignore-times', 'bench:bench/rclone.bin', out], { env: rcloneEnv }),
    );
    rmSync(out, { force: true });

    results.ours!.up.push(ours('upload', src));
    results.ours!.down.push(ours('download', out));
    if ((await sha256File(out)) !== sha256) throw new Error('download differs');
    rmSync(out, { force: true });
  }

  const rcUp = median(results.rclone!.up.map((r) => r.seconds * 1000));
  const rcDown = median(results.rclone!.down.map((r) => r.seconds * 1000));
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `WebDAV bench: ${SIZE / 1048576} MiB to/from Apache ${a.origin} (loopback), whole-process wall time, median of ${RUNS}`,
  );
  console.log('tool             | upload  | x rclone | download | x rclone | peak RSS up/down');
  for (const [name, r] of Object.entries(results)) {
    const up = median(r.up.map((x) => x.seconds * 1000));
    const down = r.down.length ? median(r.down.map((x) => x.seconds * 1000)) : NaN;
    const rss = `${Math.max(...r.up.map((x) => x.peakRssMb))} / ${r.down.length ? Math.max(...r.down.map((x) => x.peakRssMb)) : '-'} MB`;
    const downCol = name === 'curl PUT + GET' ? '   -    ' : s(down).padEnd(8);
    const downRatio = name === 'curl PUT + GET' ? '   -    ' : (down / rcDown).toFixed(2).padEnd(8);
    console.log(
      `${name.padEnd(16)} | ${s(up).padEnd(7)} | ${(up / rcUp).toFixed(2).padEnd(8)} | ${downCol} | ${downRatio} | ${rss}`,
    );
  }
  const oursUp = median(results.ours!.up.map((x) => x.seconds * 1000));
  const oursDown = median(results.ours!.down.map((x) => x.seconds * 1000));
  const peak = Math.max(...results.ours!.up.map((x) => x.peakRssMb), ...results.ours!.down.map((x) => x.peakRssMb));
  console.log(
    `goal: within 1.2x of rclone -> upload ${(oursUp / rcUp).toFixed(2)}x (verified: PUT + read-back GET), download ${(oursDown / rcDown).toFixed(2)}x; ` +
      `upload vs "curl PUT + GET" ${(oursUp / median(results['curl PUT + GET']!.up.map((x) => x.seconds * 1000))).toFixed(2)}x; peak RSS ${peak} MB (goal < 150 MB)`,
  );
  await a.stop();
}

await main();
process.exit(0);
