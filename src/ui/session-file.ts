/**
 * `<home>/ui-sessions.json` (0600): the UI's sessions between restarts, by the sha256 of their cookie values, so an
 * open tab or a bookmark still works after the service restarted and nobody who reads the file gets a cookie.
 * Synchronous (a few hundred bytes, written on a login, a rotation or a expiry); a damaged file costs a login.
 */
import { constants as fsc, closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { SessionStore, StoredSession } from './security.js';

const HASH_RE = /^[0-9a-f]{64}$/;

function valid(s: unknown): s is StoredSession {
  const o = s as StoredSession;
  return (
    !!o &&
    typeof o.hash === 'string' &&
    HASH_RE.test(o.hash) &&
    Number.isFinite(o.created) &&
    Number.isFinite(o.used) &&
    (o.endsAt === null || Number.isFinite(o.endsAt))
  );
}

export function sessionFile(file: string): SessionStore {
  return {
    load() {
      try {
        const fd = openSync(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
        let text: string;
        try {
          text = readFileSync(fd, 'utf8');
        } finally {
          closeSync(fd);
        }
        const data = JSON.parse(text) as { sessions?: unknown };
        return Array.isArray(data.sessions) ? data.sessions.filter(valid) : [];
      } catch {
        return [];
      }
    },
    save(sessions) {
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        try {
          writeSync(fd, `${JSON.stringify({ format: 'cordiax-ui-sessions/1', sessions })}\n`);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, file);
      } catch {
        // Not kept on disk this time: the session still works until the service restarts.
        rmSync(tmp, { force: true });
      }
    },
  };
}
