/**
 * What a WebDAV server honours, measured once per transport in a scratch folder of its own (so another device's
 * locks or files can never be mistaken for the server's behaviour, and one DELETE removes every probe file):
 *  - If-Match / If-None-Match:* on PUT;
 *  - locking, only where the server advertises it (DAV class 2 or LOCK in Allow): PyWebDAV drops the connection
 *    on LOCK, lighttpd without its lock database answers 500; neither is ever sent a LOCK outside this probe's
 *    advertised case, and a broken or refused LOCK means "no locking", never a failed probe;
 *  - how an exclusive create can be serialised (measured on 2026-11, loopback):
 *      'folder': LOCK the parent folder, PUT with `If: <folder-url> (<token>)`: Apache mod_dav, nginx dav-ext and
 *                chezdav accept it and refuse a PUT of a new member without the token (423; Apache 207);
 *      'target': LOCK the missing file itself (RFC 4918 9.10.4: creates it empty, 201; Apache keeps a lock-null
 *                resource and answers 200), then PUT with `If: (<token>)`: lighttpd (which answers 412 to the
 *                folder form and lets other PUTs through a folder lock), nginx, chezdav and Apache all accept it;
 *                a second LOCK meanwhile gets 423.
 */
import { randomBytes } from 'node:crypto';
import type { Guarantees } from '../types.js';
import { httpError } from './errors.js';

type LockMode = 'folder' | 'target';

/** What the probe found, beyond the interface's Guarantees. */
export interface ServerGuarantees extends Guarantees {
  ifMatch: boolean;
  ifNoneMatch: boolean;
  /** LOCK is enforced (a PUT without the token gets 423). */
  locks: boolean;
  /** null: the server has no usable locking (not advertised, refused, or the LOCK broke the connection). */
  lockSupport: boolean | null;
  /** How createExclusive is serialised under a lock (null: no lock is used). */
  lockMode: LockMode | null;
  /** Why locks are not used, for the connection test (absent when they are). */
  lockNote?: 'not-advertised' | 'refused' | 'dropped' | 'not-enforced' | 'no-create';
}

/** The few transport operations the probe needs (raw statuses, no interpretation). */
export interface ProbeOps {
  /** OPTIONS on the remote folder: the DAV and Allow headers. */
  advertised(): Promise<{ dav: string; allow: string }>;
  mkcol(rel: string): Promise<number>;
  /** The version (ETag) a stat reports, as writeSmall's callers get it. */
  version(rel: string): Promise<string | undefined>;
  /** PUT of `data` at `rel` with extra headers; resolves the status. */
  put(rel: string, data: Buffer, headers?: Record<string, string>): Promise<number>;
  lock(rel: string, dir?: boolean): Promise<{ status: number; token?: string }>;
  unlock(rel: string, token: string, dir?: boolean): Promise<void>;
  /** Absolute URL of `rel` (for tagged If headers). */
  url(rel: string, dir?: boolean): string;
  /** DELETE of the scratch folder, retried while a lock of ours is still held: never leaves it behind. */
  removeTree(rel: string): Promise<void>;
}

const ok2xx = (s: number) => s >= 200 && s < 300 && s !== 207;
/** 423, or 207 listing a 423 inside (mod_dav): another device's lock was in the way. */
const lockedOut = (s: number) => s === 423 || s === 207;

/** DAV class 2 or LOCK in Allow. */
function advertisesLocking(a: { dav: string; allow: string }): boolean {
  const classes = a.dav.split(',').map((s) => s.trim());
  return classes.includes('2') || /(^|[\s,])LOCK([\s,]|$)/i.test(a.allow);
}

/** One probe round; 'busy' when another device's lock got in the way (the answer says nothing about the server). */
export async function probeServer(ops: ProbeOps, device: string): Promise<ServerGuarantees | 'busy'> {
  const dir = `.cordiax-probe-${device}-${randomBytes(6).toString('hex')}`;
  const mk = await ops.mkcol(dir);
  if (lockedOut(mk)) return 'busy';
  try {
    if (!ok2xx(mk)) throw httpError(mk, { method: 'MKCOL', target: dir });
    const data = Buffer.from('cordiax-sync probe\n'); // 19 bytes, as the two rewrites below
    const file = `${dir}/c`;
    const w = await ops.put(file, data);
    if (lockedOut(w)) return 'busy';
    if (!ok2xx(w)) throw httpError(w, { method: 'PUT', target: file });
    const stale = await ops.put(file, data, { 'If-Match': '"cordiax-stale-etag"' });
    const any = await ops.put(file, data, { 'If-Match': '*' });
    const none = await ops.put(file, data, { 'If-None-Match': '*' });
    if ([stale, any, none].some(lockedOut)) return 'busy';
    let ifMatch = stale === 412 && ok2xx(any);
    // A real compare-and-swap: the version a stat gives must pass once, then (content changed, same size) fail.
    // PyWebDAV compares the header with its own ETag text, and ETags built from size and mtime in seconds repeat.
    // (A weak ETag, Apache's for a second after a write, is made strong by the writer before use: not judged here.)
    const v = ifMatch ? await ops.version(file) : undefined;
    if (v === undefined) ifMatch = false; // no ETag at all (PyWebDAV): no version to make a write conditional on
    if (ifMatch && v !== undefined && !v.startsWith('W/')) {
      // Same size each time, within the same second: an ETag of size and mtime in seconds cannot tell them apart.
      const current = await ops.put(file, Buffer.from('cordiax-sync probe\u0032'), { 'If-Match': v });
      const replaced = await ops.put(file, Buffer.from('cordiax-sync probe\u0033'), { 'If-Match': v });
      if ([current, replaced].some(lockedOut)) return 'busy';
      ifMatch = ok2xx(current) && replaced === 412;
    }
    const ifNoneMatch = none === 412;
    const lk = advertisesLocking(await ops.advertised())
      ? await probeLocks(ops, dir, ifNoneMatch)
      : { locks: false, lockSupport: null, lockMode: null, lockNote: 'not-advertised' as const };
    if (lk === 'busy') return 'busy';
    return {
      conditionalWrite: ifMatch && ifNoneMatch,
      // A create is atomic when a lock serialises it (see conditionalPut); If-None-Match alone is not (Apache let
      // racing writers through).
      exclusiveCreate: lk.lockMode !== null,
      // MOVE over an existing target is DELETE then MOVE on every server we know (RFC 4918 9.9.3).
      atomicReplace: false,
      ifMatch,
      ifNoneMatch,
      ...lk,
    };
  } finally {
    await ops.removeTree(dir);
  }
}

type LockFindings = Pick<ServerGuarantees, 'locks' | 'lockSupport' | 'lockMode' | 'lockNote'>;

async function probeLocks(ops: ProbeOps, dir: string, ifNoneMatch: boolean): Promise<LockFindings | 'busy'> {
  // The target form first: a LOCK on a missing name creates nothing on servers that fail it (PyWebDAV), so a
  // broken LOCK leaves no locked file behind.
  let target: { enforced: boolean; writable: boolean } | undefined;
  // Apache let a PUT without the token through a fresh lock in 3 of 60 rounds of 6 devices probing at once: one
  // 423 in three tries is the answer.
  for (let i = 0; i < 3 && !target?.enforced; i++) {
    const name = `${dir}/t${i}`;
    let l: { status: number; token?: string };
    try {
      l = await ops.lock(name);
    } catch {
      return { locks: false, lockSupport: null, lockMode: null, lockNote: 'dropped' };
    }
    if (lockedOut(l.status)) return 'busy';
    if (!ok2xx(l.status) || !l.token) return { locks: false, lockSupport: null, lockMode: null, lockNote: 'refused' };
    try {
      const without = await ops.put(name, Buffer.from('x'));
      const withToken = await ops.put(name, Buffer.from('y'), { If: `(${l.token})` });
      target = { enforced: without === 423, writable: ok2xx(withToken) };
    } finally {
      await ops.unlock(name, l.token).catch(() => undefined);
    }
  }
  if (!target?.enforced) return { locks: false, lockSupport: false, lockMode: null, lockNote: 'not-enforced' };

  // The folder form: the folder's token in a tagged If header, and a foreign PUT of a new member refused.
  let folderOk = false;
  const sub = `${dir}/f`;
  if (ok2xx(await ops.mkcol(sub))) {
    const l = await ops.lock(sub, true).catch(() => ({ status: 0 }) as { status: number; token?: string });
    if (ok2xx(l.status) && l.token) {
      try {
        const mine = await ops.put(`${sub}/a`, Buffer.from('a'), {
          If: `<${ops.url(sub, true)}> (${l.token})`,
          ...(ifNoneMatch ? { 'If-None-Match': '*' } : {}),
        });
        const foreign = await ops.put(`${sub}/b`, Buffer.from('b'));
        folderOk = ok2xx(mine) && lockedOut(foreign);
      } finally {
        await ops.unlock(sub, l.token, true).catch(() => undefined);
      }
    }
  }
  const lockMode: LockMode | null = folderOk ? 'folder' : target.writable ? 'target' : null;
  return { locks: true, lockSupport: true, lockMode, ...(lockMode ? {} : { lockNote: 'no-create' as const }) };
}
