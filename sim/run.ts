/**
 * Runs schedules one after another (the simulator is single-threaded by design: one world at a time, so virtual time
 * and the patched globals belong to it), and folds their traces into one digest: the same seed gives the same digest.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { KNOWN_FAILING, knownLabel, knownMatches, type FaultClass } from './classes.js';
import type { Violation } from './invariants.js';
import type { ServerMode } from './remote-store.js';
import { runSchedule, type ScheduleResult } from './schedule.js';
import type { Plant } from './world.js';

export interface RunOptions {
  seed: string;
  /** Schedule indexes to run: `count` from `from`, or until `untilMs` of wall time has passed. */
  from?: number;
  count?: number;
  untilMs?: number;
  allowed: readonly FaultClass[];
  modes?: readonly ServerMode[];
  baseline?: boolean;
  plant?: Plant;
  /** Stop at the first schedule with a violation (planted-bug hunts). */
  stopAtFirst?: boolean;
  onViolation?(line: string): void;
}

export interface RunSummary {
  schedules: number;
  violations: number;
  digest: string;
  /** Schedules with a violation, by known failure (classes.ts) they match; '' = explained by none. */
  byKnown: Map<string, number>;
  results: Array<Pick<ScheduleResult, 'index' | 'violations'> & { classes: string[]; mode: ServerMode }>;
  wallMs: number;
}

export function tempRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

/** Hex runs (hashes, random name parts) become #1, #2... in order of first appearance, so traces compare. */
export function canonical(lines: string[]): string[] {
  const ids = new Map<string, string>();
  return lines.map((l) =>
    l.replace(/[0-9a-f]{6,}/g, (h) => {
      if (!ids.has(h)) ids.set(h, `#${ids.size + 1}`);
      return ids.get(h)!;
    }),
  );
}

export function violationLine(seed: string, index: number, classes: string[], v: Violation): string {
  return `violation seed=${seed} schedule=${index} step=${v.step} kind=${v.kind} classes=[${classes.join(',')}] ${v.detail.split('\n')[0]} (replay: --seed ${seed} --replay ${index})`;
}

export async function runMany(o: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const digest = createHash('sha256');
  const byKnown = new Map<string, number>();
  const results: RunSummary['results'] = [];
  let violations = 0;
  const from = o.from ?? 0;
  for (let i = from; ; i++) {
    if (o.count !== undefined && i >= from + o.count) break;
    if (o.count === undefined && Date.now() - started >= (o.untilMs ?? 0)) break;
    const r = await runSchedule({
      seed: o.seed,
      index: i,
      allowed: o.allowed,
      modes: o.modes,
      baseline: o.baseline,
      plant: o.plant,
      root: tempRoot(),
    });
    for (const line of canonical(r.trace)) digest.update(`${line}\n`);
    const classes = [...r.profile.classes].sort();
    results.push({ index: i, violations: r.violations, classes, mode: r.profile.mode });
    if (r.violations.length) {
      const known = knownMatches(r.profile.classes, r.profile.mode).map(knownLabel);
      for (const k of known.length ? known : ['']) byKnown.set(k, (byKnown.get(k) ?? 0) + 1);
    }
    for (const v of r.violations)
      o.onViolation?.(violationLine(o.seed, i, [...classes, `server=${r.profile.mode}`], v));
    violations += r.violations.length;
    if (o.stopAtFirst && r.violations.length) break;
  }
  return {
    schedules: results.length,
    violations,
    digest: digest.digest('hex'),
    byKnown,
    results,
    wallMs: Date.now() - started,
  };
}

/** The counted list of known failures printed before the last line (a schedule may match several). */
export function knownLines(s: RunSummary): string[] {
  const out: string[] = [];
  for (const k of KNOWN_FAILING) {
    const n = s.byKnown.get(knownLabel(k));
    if (n) out.push(`known-failing ${knownLabel(k)}: on in ${n} schedule(s) with violations (${k.why})`);
  }
  const unexplained = s.byKnown.get('');
  if (unexplained) out.push(`NOT explained by a known failure: ${unexplained} schedule(s)`);
  return out;
}
