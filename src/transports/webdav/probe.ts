/**
 * "Probar Conexión" for WebDAV: a real round trip (authenticate, resolve the folder, create it if missing, write a
 * probe file, read it back, rename it, delete it) plus what the server honours (If-Match, If-None-Match, locks) and
 * the clock skew. Never throws: every failure becomes a step with a Spanish message and a hint.
 */
import { randomBytes } from 'node:crypto';
import { isSyncError, SyncError, toSyncError, type Text } from '../../errors.js';
import type { CheckStep, ConnectionReport } from '../types.js';
import { commitGuaranteeStep } from '../commit-guarantee.js';
import { showPath, type WebdavTransport } from './transport.js';
import { msg } from '../../messages/index.js';
import type { ServerGuarantees } from './capabilities.js';

const STEPS: Array<{ id: string; text: Text }> = [
  { id: 'connect', text: msg('webdav.connection_server') },
  { id: 'auth', text: msg('webdav.authentication') },
  { id: 'resolve', text: msg('webdav.user_folder') },
  { id: 'mkdir', text: msg('webdav.remote_folder_created_if') },
  { id: 'write', text: msg('webdav.write_probe_file') },
  { id: 'read', text: msg('webdav.read_back_compare') },
  { id: 'rename', text: msg('webdav.rename_move') },
  {
    id: 'if-match',
    text: msg('webdav.conditional_writes_if_match'),
  },
  { id: 'lock', text: msg('webdav.locks_lock') },
  {
    id: 'create',
    text: msg('webdav.step.create'),
  },
  { id: 'commit', text: msg('webdav.guarantee_publishing_versions') },
  { id: 'delete', text: msg('webdav.delete') },
  { id: 'clock', text: msg('webdav.server_s_clock') },
];

const MAX_SKEW_SECONDS = 120;

export async function runConnectionTest(t: WebdavTransport): Promise<ConnectionReport> {
  const steps: CheckStep[] = [];
  const facts: ConnectionReport['facts'] = {
    url: `${t.http.secure ? 'https' : 'http'}://${t.http.host}`,
    tls: t.http.secure,
    tls_verify: t.http.secure ? t.cfg.insecure_skip_tls_verify !== true : null,
  };
  const report: ConnectionReport = { protocol: 'webdav', ok: false, steps, facts };
  const label = (id: string) => STEPS.find((s) => s.id === id)!.text;
  const step = async <T>(id: string, fn: () => Promise<T>, describe?: (v: T) => Text): Promise<T> => {
    const t0 = Date.now();
    try {
      const v = await fn();
      steps.push({ id, ok: true, text: describe ? describe(v) : label(id), durationMs: Date.now() - t0 });
      return v;
    } catch (err) {
      const e = toSyncError(err);
      steps.push({ id, ok: false, text: e.text, ...(e.hint ? { hint: e.hint } : {}), durationMs: Date.now() - t0 });
      throw e;
    }
  };

  const probe = `.cordiax-test-${t.ctx.device}-${randomBytes(6).toString('hex')}`;
  const moved = `${probe}.moved`;
  const created = `${probe}.created`;
  let opened = false;
  try {
    // One OPTIONS shows both reachability and auth; split them so the user sees which failed.
    let opt: Awaited<ReturnType<WebdavTransport['options']>> | undefined;
    let authErr: SyncError | undefined;
    await step('connect', async () => {
      try {
        opt = await t.options();
      } catch (err) {
        const e = toSyncError(err);
        if (e.code === 'AUTH_FAILED' || e.code === 'PERMISSION_DENIED') authErr = e;
        else throw e;
      }
    });
    await step('auth', async () => {
      if (authErr) throw authErr;
    });
    if (opt) {
      facts.server = opt.server || null;
      facts.dav = opt.dav || null;
      facts.clock_skew_seconds = opt.skewSeconds;
    }
    facts.auth = t.http.authScheme ?? null;
    await step(
      'resolve',
      () => t.resolveBase(),
      (base) => msg('webdav.user_folder_base', { base: showPath(base) }),
    );
    await step(
      'mkdir',
      () => t.open(),
      () => msg('webdav.remote_folder_ready', { describeRoot: t.describeRoot() }),
    );
    opened = true;
    const data = randomBytes(4096);
    await step('write', () => t.putRaw(probe, data));
    await step('read', async () => {
      const back = await t.readSmall(probe);
      if (!back?.data.equals(data)) {
        throw new SyncError('VERIFY_FAILED', msg('webdav.probe_file_read_back'), {
          hint: msg('webdav.server_proxy_alters_files'),
        });
      }
    });
    await step('rename', () => t.rename(probe, moved));
    facts.move = true;
    const g = await step(
      'if-match',
      () => t.reprobe(),
      (r) =>
        r.conditionalWrite
          ? msg('webdav.server_enforces_if_match')
          : msg('webdav.server_not_enforce_conditional_writes'),
    );
    facts.if_match = g.ifMatch;
    facts.if_none_match = g.ifNoneMatch;
    report.guarantees = {
      conditionalWrite: g.conditionalWrite,
      exclusiveCreate: g.exclusiveCreate,
      atomicReplace: g.atomicReplace,
    };
    const locks = await step(
      'lock',
      async () => g.lockSupport,
      (l) =>
        l === true
          ? g.lockMode
            ? msg('webdav.locks_enforced_mode', {
                mode: msg(g.lockMode === 'folder' ? 'webdav.lock_mode.folder' : 'webdav.lock_mode.target'),
              })
            : msg('webdav.locks_enforced_no_create_used')
          : LOCK_NOTES[g.lockNote ?? 'refused'],
    );
    facts.locks = locks;
    facts.lock_mode = g.lockMode;
    // The very operation the first push depends on, through the same code: if it fails here, the test fails.
    await step('create', async () => {
      const learned = t.http.closesSilently;
      const first = await t.createExclusive(created, data).catch((err: unknown) => {
        // Its LOCK met a kept-alive connection the server had dropped without notice (chezdav), before the client
        // learned to give such requests a connection of their own: nothing reached the server; once more.
        if (!learned && t.http.closesSilently && isSyncError(err, 'CONNECTION_RESET'))
          return t.createExclusive(created, data);
        throw err;
      });
      if (!first) throw createRefused();
      const back = await t.readSmall(created);
      if (!back?.data.equals(data)) throw createRefused();
      if (await t.createExclusive(created, randomBytes(16))) {
        throw new SyncError('PROTOCOL', msg('webdav.created_twice'));
      }
    });
    // What the commit protocol can count on here (atomic create, lock, conditional write or none), in words.
    const commit = commitGuaranteeStep(g);
    facts.commit_guarantee = commit.level;
    steps.push(commit.step);
    await step('delete', async () => {
      await t.remove(moved);
      if (await t.stat(moved)) {
        throw new SyncError('PROTOCOL', msg('webdav.probe_file_still_exists'));
      }
    });
    report.ok = true;
    const skew = facts.clock_skew_seconds;
    steps.push(
      typeof skew !== 'number'
        ? {
            id: 'clock',
            ok: true,
            text: msg('webdav.server_not_give_time_date'),
          }
        : Math.abs(skew) <= MAX_SKEW_SECONDS
          ? {
              id: 'clock',
              ok: true,
              text: msg('webdav.clock_difference_server_s', { skew }),
            }
          : {
              id: 'clock',
              ok: false,
              text: msg('webdav.server_s_clock_differs', { skew }),
              hint: msg('webdav.fix_time_automatic_time'),
            },
    );
  } catch (err) {
    const e = toSyncError(err);
    report.error = {
      code: e.code,
      message: e.text.es,
      message_en: e.text.en,
      ...(e.hint ? { hint: e.hint.es, hint_en: e.hint.en } : {}),
    };
  } finally {
    if (opened) {
      for (const name of [probe, moved, created]) await t.remove(name).catch(() => undefined);
    }
  }
  for (const s of STEPS) {
    if (!steps.some((x) => x.id === s.id)) steps.push({ id: s.id, ok: false, skipped: true, text: s.text });
  }
  return report;
}

const LOCK_NOTES: Record<NonNullable<ServerGuarantees['lockNote']>, Text> = {
  'not-advertised': msg('webdav.lock_note.not_advertised'),
  refused: msg('webdav.lock_note.refused'),
  dropped: msg('webdav.lock_note.dropped'),
  'not-enforced': msg('webdav.lock_note.not_enforced'),
  'no-create': msg('webdav.lock_note.no_create'),
};

function createRefused(): SyncError {
  return new SyncError('PROTOCOL', msg('webdav.no_conditional_create'), {
    hint: msg('webdav.no_conditional_create.hint'),
  });
}
