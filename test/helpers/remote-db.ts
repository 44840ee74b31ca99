/**
 * The database a remote version holds, for checks in tests, the simulator and the reliability suite: a whole
 * database object as it is, a patch version (src/delta) rebuilt from its base and patches with an independent,
 * synchronous reader of the patch format (header, raw-deflate body of page number + page bytes), each link checked
 * against its size and sha256 and each patch against its parent's hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ChainObject {
  generation: number;
  sha256: string;
  size: number;
  file: string;
  delta?: { parent: number; db_sha256?: string };
}
export interface ChainManifest extends ChainObject {
  encrypted?: boolean;
  versions?: ChainObject[];
  retained?: ChainObject[];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The chain of `generation` (base first) in a manifest's entries; null when a link is missing. */
export function chainOf(m: ChainManifest, generation = m.generation): ChainObject[] | null {
  const byGen = new Map<number, ChainObject>();
  for (const e of [m, ...(m.versions ?? []), ...(m.retained ?? [])])
    if (!byGen.has(e.generation)) byGen.set(e.generation, e);
  const chain: ChainObject[] = [];
  for (let e = byGen.get(generation); e; e = e.delta ? byGen.get(e.delta.parent) : undefined) {
    chain.unshift(e);
    if (!e.delta) return chain;
  }
  return null;
}

/**
 * Applies the chain of `generation`. `get` returns an object's stored bytes (checked here against the manifest) and
 * `plain` turns them into plaintext (identity for plaintext remotes; the simulator decrypts beforehand).
 */
export function rebuildSync(
  m: ChainManifest,
  get: (file: string) => Buffer | null,
  opts: { generation?: number; plain?: (file: string, stored: Buffer) => Buffer } = {},
): { ok: true; data: Buffer } | { ok: false; error: string } {
  const chain = chainOf(m, opts.generation ?? m.generation);
  if (!chain) return { ok: false, error: `generation ${opts.generation ?? m.generation}: chain has no base` };
  let db: Buffer | null = null;
  for (const e of chain) {
    const stored = get(e.file);
    if (!stored) return { ok: false, error: `object ${e.file} missing` };
    if (stored.length !== e.size || sha(stored) !== e.sha256) return { ok: false, error: `object ${e.file} differs` };
    const data = opts.plain ? opts.plain(e.file, stored) : stored;
    if (!db) {
      db = data;
      continue;
    }
    if (data.subarray(0, 8).toString('latin1') !== 'CDXPATCH' || data.subarray(28, 60).toString('hex') !== sha(db))
      return { ok: false, error: `patch ${e.generation} is not a patch of its parent` };
    const pageSize = data.readUInt32BE(12) || 65536;
    const after = data.readUInt32BE(20);
    const body = inflateRawSync(data.subarray(92));
    const out = Buffer.alloc(after * pageSize);
    db.copy(out, 0, 0, Math.min(db.length, out.length));
    for (let off = 0; off < body.length; off += 4 + pageSize)
      body.copy(out, (body.readUInt32BE(off) - 1) * pageSize, off + 4, off + 4 + pageSize);
    db = out;
    if (sha(db) !== data.subarray(60, 92).toString('hex'))
      return { ok: false, error: `patch ${e.generation}: result hash mismatch` };
    if (e.delta?.db_sha256 && sha(db) !== e.delta.db_sha256)
      return { ok: false, error: `generation ${e.generation}: rebuilt database differs from db_sha256` };
  }
  return { ok: true, data: db! };
}

/** The head (or `generation`) of a remote folder on disk, rebuilt; throws with the reason when it cannot be. */
export function remoteDatabaseSync(root: string, manifestName = 'cordiax-sync.json', generation?: number): Buffer {
  const m = JSON.parse(readFileSync(path.join(root, manifestName), 'utf8')) as ChainManifest;
  const r = rebuildSync(m, (f) => (existsSync(path.join(root, f)) ? readFileSync(path.join(root, f)) : null), {
    generation,
  });
  if (!r.ok) throw new Error(r.error);
  return r.data;
}

/** Like remoteDatabaseSync for an encrypted remote: every object of the chain is decrypted first with `decrypt`. */
export async function remoteDatabaseDecrypted(
  root: string,
  decrypt: (file: string) => Promise<Buffer>,
  manifestName = 'cordiax-sync.json',
): Promise<Buffer> {
  const m = JSON.parse(readFileSync(path.join(root, manifestName), 'utf8')) as ChainManifest;
  const plain = new Map<string, Buffer>();
  for (const e of chainOf(m) ?? []) plain.set(e.file, await decrypt(path.join(root, e.file)));
  const r = rebuildSync(m, (f) => (existsSync(path.join(root, f)) ? readFileSync(path.join(root, f)) : null), {
    plain: (f) => plain.get(f)!,
  });
  if (!r.ok) throw new Error(r.error);
  return r.data;
}
