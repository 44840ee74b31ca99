/**
 * What the commit protocol promises, checked on the server's files: a push the engine acknowledged (sync outcome
 * 'push', generation g, the manifest it committed) stays the remote's record g, and the record after it builds on it.
 * The engine's lineage check turns a broken promise into a conflict on the pusher's next sync, so rows may survive;
 * this invariant still reports the broken promise itself (a lost commit that was reported as a success).
 *
 * Only a restore of the remote from an older copy (`rollback`) legitimately removes history: acknowledged commits the
 * restored copy does not hold are forgotten at the restore; those it holds stay promised.
 */
import { commitPath, parseManifest } from '../src/engine/remote-layout.js';
import type { RemoteManifest } from '../src/transports/types.js';
import type { Violation } from './invariants.js';
import type { RemoteStore } from './remote-store.js';

export interface AckedCommit {
  device: string;
  generation: number;
  sha256: string;
  /** The scheduler step the sync that reported it ended in (for the report). */
  step: number;
}

function readRecord(store: RemoteStore, generation: number): RemoteManifest | 'absent' | 'unreadable' {
  const f = store.get(commitPath(generation));
  if (!f) return 'absent';
  try {
    return parseManifest(f.data);
  } catch {
    return 'unreadable';
  }
}

export class AckedCommits {
  private acked: AckedCommit[] = [];
  /** Step of the current scheduler step, stamped on acknowledgements (set by the scheduler). */
  step = 0;
  /** How many times the remote was restored from an older copy so far. */
  restores = 0;

  constructor(private readonly store: RemoteStore) {}

  private holds(a: { generation: number; sha256: string }): boolean {
    const r = readRecord(this.store, a.generation);
    return typeof r === 'object' && r.sha256 === a.sha256;
  }

  /**
   * A sync reported this push. `restoresAtStart`: the restore count when that sync started; a restore during the
   * sync (e.g. while it pruned old versions after its commit) may have removed the record legitimately.
   */
  add(device: string, m: RemoteManifest, restoresAtStart: number): void {
    const a = { device, generation: m.generation, sha256: m.sha256, step: this.step };
    if (restoresAtStart !== this.restores && !this.holds(a)) return;
    this.acked.push(a);
  }

  /** The remote was restored from an older copy: commits it does not hold (as acknowledged) are no longer promised. */
  afterRestore(): void {
    this.restores++;
    this.acked = this.acked.filter((a) => this.holds(a));
  }

  check(step: number): Violation[] {
    const store = this.store;
    const out: Violation[] = [];
    for (const a of this.acked) {
      const what = `${a.device}'s push of generation ${a.generation} (sha ${a.sha256.slice(0, 12)}, acknowledged at step ${a.step})`;
      const r = readRecord(store, a.generation);
      if (r === 'absent' || r === 'unreadable') {
        out.push({
          kind: 'acked-commit-lost',
          step,
          detail: `${what}: its record ${commitPath(a.generation)} is ${r === 'absent' ? 'gone' : 'unreadable'}`,
        });
        continue;
      }
      if (r.sha256 !== a.sha256) {
        out.push({
          kind: 'acked-commit-lost',
          step,
          detail: `${what}: record ${commitPath(a.generation)} now holds ${r.device}'s sha ${r.sha256.slice(0, 12)}`,
        });
        continue;
      }
      const next = readRecord(store, a.generation + 1);
      if (
        typeof next === 'object' &&
        next.parent &&
        (next.parent.generation !== a.generation || next.parent.sha256 !== a.sha256)
      ) {
        out.push({
          kind: 'acked-commit-lost',
          step,
          detail: `${what}: record ${commitPath(a.generation + 1)} (${next.device}) builds on sha ${next.parent.sha256.slice(0, 12)} instead`,
        });
      }
    }
    return out;
  }
}
