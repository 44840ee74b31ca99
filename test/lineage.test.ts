// The lineage verdicts (src/engine/lineage.ts), one by one, including v0.1 manifests that carry no lineage.
import test from 'node:test';
import assert from 'node:assert/strict';
import { checkLineage, recordAfterSync, recordSeen, type LineageRecord } from '../src/engine/lineage.js';
import { nextManifest } from '../src/transports/manifest.js';
import type { RemoteManifest } from '../src/transports/types.js';

const sha = (c: string) => c.repeat(64);
const ID = 'remote-identity-1';

/** A remote history: generation n holds sha(letters[n-1]). */
function chain(letters: string, remoteId: string | null = ID, keep = 10): RemoteManifest {
  let m: RemoteManifest | null = null;
  for (const [i, c] of [...letters].entries()) {
    m = nextManifest(
      m,
      {
        sha256: sha(c),
        size: 100,
        encrypted: false,
        device: 'pc',
        file: `versions/${i + 1}.db`,
        ...(remoteId ? { remoteId } : {}),
      },
      keep,
    ).manifest;
  }
  return m!;
}
const rec = (
  generation: number,
  c: string,
  pushedByUs: boolean,
  extra: Partial<LineageRecord> = {},
): LineageRecord => ({
  remoteId: ID,
  lastSynced: { generation, sha256: sha(c), pushedByUs },
  highestGeneration: generation,
  ...extra,
});

test('ok: our pushed version is the parent of the head; the head names its parent and identity', () => {
  const head = chain('abc');
  assert.deepEqual(head.parent, { generation: 2, sha256: sha('b') });
  assert.equal(head.remote_id, ID);
  const r = checkLineage({ recorded: rec(2, 'b', true), head });
  assert.equal(r.verdict, 'ok');
  assert.equal(r.conflict, false);
  assert.equal(r.verdict === 'ok' && r.certain, true);
});

test('ok on first contact, and with an empty remote we never synced with', () => {
  assert.equal(
    checkLineage({ recorded: { lastSynced: null, highestGeneration: null }, head: chain('ab') }).verdict,
    'ok',
  );
  assert.equal(checkLineage({ recorded: { lastSynced: null, highestGeneration: null }, head: null }).verdict, 'ok');
});

test('generation-went-back: the remote restored from an older backup (3 -> 2)', () => {
  const r = checkLineage({ recorded: rec(3, 'c', false), head: chain('ab') });
  assert.equal(r.verdict, 'generation-went-back');
  assert.equal(r.conflict, true);
  assert.deepEqual(r.verdict === 'generation-went-back' && [r.highest, r.found], [3, 2]);
  assert.match(r.text.es, /volvió de la versión 3 a la 2/);
});

test('generation-went-back also counts the highest generation ever seen, not only the last synced', () => {
  const r = checkLineage({ recorded: rec(2, 'b', false, { highestGeneration: 5 }), head: chain('abcd') });
  assert.equal(r.verdict, 'generation-went-back');
});

test('manifest-disappeared: the remote is empty after we synced with it', () => {
  const r = checkLineage({ recorded: rec(1, 'a', true), head: null });
  assert.equal(r.verdict, 'manifest-disappeared');
  assert.equal(r.conflict, true);
  assert.match(r.text.es, /vacío/);
});

test('remote-identity-changed: a recreated remote, even at a higher generation', () => {
  const r = checkLineage({ recorded: rec(1, 'a', false), head: chain('axyz', 'another-remote-id') });
  assert.equal(r.verdict, 'remote-identity-changed');
  assert.equal(r.conflict, true);
});

test('v0.1 heads (no remote_id, no parent) are unknown, never a violation', () => {
  const v01 = chain('ab', null);
  delete v01.parent;
  assert.equal(v01.remote_id, undefined);
  assert.equal(checkLineage({ recorded: rec(2, 'b', true), head: v01 }).verdict, 'ok');
  assert.equal(checkLineage({ recorded: rec(1, 'a', false, { remoteId: undefined }), head: v01 }).verdict, 'ok');
});

test('our-commit-lost: the generation we pushed holds another version now (same generation, silently replaced)', () => {
  const r = checkLineage({ recorded: rec(3, 'c', true), head: chain('abX') });
  assert.equal(r.verdict, 'our-commit-lost');
  assert.equal(r.conflict, true);
  assert.deepEqual(r.verdict === 'our-commit-lost' && r.remote, { generation: 3, sha256: sha('X') });
});

test('our-commit-lost found through the history, and through a commit record beyond the history', () => {
  assert.equal(checkLineage({ recorded: rec(2, 'b', true), head: chain('aXcd') }).verdict, 'our-commit-lost');
  // History of 2 entries: generation 2 is not in the head; the remote's commit record tells.
  const head = chain('aXcdef', ID, 2);
  assert.equal(
    head.versions!.some((v) => v.generation === 2),
    false,
  );
  const unknown = checkLineage({ recorded: rec(2, 'b', true), head });
  assert.equal(unknown.verdict, 'ok');
  assert.equal(
    unknown.verdict === 'ok' && unknown.certain,
    false,
    'cannot tell without the record: reported as not certain',
  );
  assert.equal(
    checkLineage({
      recorded: rec(2, 'b', true),
      head,
      entries: [{ generation: 2, sha256: sha('X'), parent: { generation: 1, sha256: sha('a') } }],
    }).verdict,
    'our-commit-lost',
  );
  assert.equal(
    checkLineage({ recorded: rec(2, 'b', true), head, entries: [{ generation: 2, sha256: sha('b') }] }).verdict,
    'ok',
  );
});

test('history-rewritten: a version we pulled (not pushed) is no longer in the lineage', () => {
  const r = checkLineage({ recorded: rec(2, 'b', false), head: chain('aXc') });
  assert.equal(r.verdict, 'history-rewritten');
  assert.equal(r.conflict, true);
});

test('local-is-older-version: local bytes equal an older remote version -> fast-forward, not a conflict', () => {
  const r = checkLineage({ recorded: rec(3, 'c', false), head: chain('abcd'), localBytesSha256: sha('b') });
  assert.equal(r.verdict, 'local-is-older-version');
  assert.equal(r.conflict, false);
  assert.equal(r.verdict === 'local-is-older-version' && r.generation, 2);
  // Equal to the head: simply in sync.
  assert.equal(
    checkLineage({ recorded: rec(3, 'c', false), head: chain('abcd'), localBytesSha256: sha('d') }).verdict,
    'ok',
  );
  // A copied state file on another PC that keeps its own older database: the old bytes are a remote version.
  assert.equal(
    checkLineage({ recorded: rec(4, 'd', true), head: chain('abcd'), localBytesSha256: sha('a') }).verdict,
    'local-is-older-version',
  );
});

test('priorities: identity before emptiness checks, went-back before lost commit', () => {
  // Restored from backup AND our generation-3 commit is therefore missing: reported as went-back (the cause).
  assert.equal(checkLineage({ recorded: rec(3, 'c', true), head: chain('ab') }).verdict, 'generation-went-back');
  assert.equal(
    checkLineage({ recorded: rec(3, 'c', true), head: chain('ab', 'other-remote-id') }).verdict,
    'remote-identity-changed',
  );
});

test('recordAfterSync / recordSeen keep identity and the highest generation', () => {
  const head = chain('abc');
  const r1 = recordAfterSync(null, head, true);
  assert.deepEqual(r1, {
    remoteId: ID,
    lastSynced: { generation: 3, sha256: sha('c'), pushedByUs: true },
    highestGeneration: 3,
  });
  const r2 = recordSeen(r1, chain('abcde'));
  assert.equal(r2.highestGeneration, 5);
  assert.deepEqual(r2.lastSynced, r1.lastSynced);
  assert.equal(checkLineage({ recorded: r2, head: chain('abc') }).verdict, 'generation-went-back');
});
