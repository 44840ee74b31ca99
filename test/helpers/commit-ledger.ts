/**
 * The ledger of the commit-protocol tests: every push attempt, what the device was told, and what the remote holds.
 * A push told "ok" must be the commit record of its generation, or be caught by the lineage check on the next sync
 * (our-commit-lost); a push told "conflict" must not be in the remote's history; every generation has exactly one
 * record, naming its parent, and its object is on the server with the right bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkLineage } from '../../src/engine/lineage.js';
import type { FileRemote } from '../../src/engine/remote-layout.js';

export interface Attempt {
  result: 'ok' | 'conflict' | 'error';
  device: string;
  sha256: string;
  base: number | null;
  generation?: number;
  code?: string;
}

export interface LedgerSummary {
  generations: number;
  okAtPush: number;
  conflicts: number;
  errors: number;
  /** Told "ok" but replaced by a foreign commit of the same generation; caught by the lineage check. */
  caughtByLineage: number;
}

/** `dataDir`: the remote folder on disk (to hash the objects); `reader`: a FileRemote on the same remote. */
export async function checkLedger(
  reader: FileRemote,
  dataDir: string,
  attempts: Attempt[],
  allowedErrors: string[] = [],
): Promise<LedgerSummary> {
  const head = await reader.head();
  assert.ok(head, 'the remote has a head');
  const records = new Map<number, string>();
  for (let g = 1; g <= head.generation; g++) {
    const e = await reader.lineageEntry(g);
    assert.ok(e, `generation ${g} has a commit record`);
    records.set(g, e.sha256);
    if (g > 1)
      assert.deepEqual(e.parent, { generation: g - 1, sha256: records.get(g - 1) }, `generation ${g} names its parent`);
    const owner = attempts.filter((a) => a.sha256 === e.sha256);
    assert.equal(owner.length, 1, `generation ${g} was written by exactly one attempt`);
    assert.notEqual(
      owner[0]!.result,
      'conflict',
      `generation ${g}: the attempt told "conflict" is in fact committed (${owner[0]!.device})`,
    );
  }
  // Every committed object is on the server with its bytes (the head's history lists the files).
  for (const v of [head, ...(head.versions ?? [])]) {
    const bytes = readFileSync(path.join(dataDir, v.file));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), v.sha256, `object of generation ${v.generation}`);
  }
  const s: LedgerSummary = { generations: head.generation, okAtPush: 0, conflicts: 0, errors: 0, caughtByLineage: 0 };
  for (const a of attempts) {
    if (a.result === 'conflict') {
      s.conflicts++;
      assert.ok(![...records.values()].includes(a.sha256), `${a.device}: told "conflict" but committed`);
    } else if (a.result === 'error') {
      s.errors++;
      assert.ok(allowedErrors.includes(a.code ?? ''), `${a.device}: unexpected error ${a.code}`);
    } else {
      assert.ok(a.generation !== undefined);
      if (records.get(a.generation) === a.sha256) s.okAtPush++;
      else {
        // The backstop: the device's next sync must see that its commit is not in the lineage.
        const entry = await reader.lineageEntry(a.generation);
        const v = checkLineage({
          recorded: {
            lastSynced: { generation: a.generation, sha256: a.sha256, pushedByUs: true },
            highestGeneration: a.generation,
          },
          head,
          entries: entry ? [entry] : [],
        });
        assert.equal(
          v.verdict,
          'our-commit-lost',
          `${a.device}: told "ok" at generation ${a.generation}, replaced, and not detected`,
        );
        s.caughtByLineage++;
      }
    }
  }
  // One success per generation, counting the ones the lineage check turns into conflicts as losers.
  assert.equal(s.okAtPush, head.generation, `one winner per generation: ${JSON.stringify(s)}`);
  return s;
}
