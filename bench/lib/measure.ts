/** Bench helpers: run a command under /usr/bin/time to get wall time and peak RSS, medians, formatting. */
import { spawnSync } from 'node:child_process';

export interface Run {
  seconds: number;
  peakRssMb: number;
  /**
   * User + system CPU seconds of the command and its threads (its children too once they are waited for): on a
   * shared, loaded machine wall time swings with other jobs, CPU time much less.
   */
  cpuSeconds?: number;
  /** What the command printed (a bench child may report its own in-process time). */
  stdout?: string;
}

/** Runs cmd once; returns wall seconds and the peak RSS (MB) that /usr/bin/time reports. */
export function timed(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args], {
    encoding: 'utf8',
    env: opts.env ?? process.env,
    input: opts.input,
    cwd: opts.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [user, sys, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, peakRssMb: Math.round(kb / 1024), cpuSeconds: user + sys, stdout: r.stdout };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `n` times, returns median seconds and max peak RSS. */
export function repeat(n: number, fn: () => Run): Run {
  const runs: Run[] = [];
  for (let i = 0; i < n; i++) runs.push(fn());
  return { seconds: median(runs.map((r) => r.seconds)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
}

export function row(label: string, r: Run, peer: Run, mb?: number): string {
  const speed = mb ? ` ${(mb / r.seconds).toFixed(0).padStart(5)} MiB/s` : '';
  return `${label.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} s${speed}  x${(r.seconds / peer.seconds).toFixed(2)} of peer  peak RSS ${String(r.peakRssMb).padStart(4)} MB`;
}

/** Median seconds and max peak RSS of several runs of one contender. */
export function summary(runs: Run[]): Run {
  return { seconds: median(runs.map((r) => r.seconds)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
}

/**
 * Interleaved rounds: every round runs each contender once, in an order rotated each round, so drift on a shared
 * machine (page cache, CPU contention from other jobs, thermal) lands on all contenders alike rather than on whichever
 * ran its rounds last. `before` runs ahead of every measurement (e.g. `sync` to flush dirty pages). Returns all runs.
 */
export async function interleaved<K extends string>(
  rounds: number,
  contenders: Record<K, () => Run | Promise<Run>>,
  before?: () => void,
): Promise<Record<K, Run[]>> {
  const names = Object.keys(contenders) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as Run[]])) as Record<K, Run[]>;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      before?.();
      out[name].push(await contenders[name]());
    }
  }
  return out;
}
