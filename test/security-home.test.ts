/**
 * Issue 14: a CORDIAX_HOME pre-created by another local user (0777, with planted `logs`/`backups` links) is refused
 * with a message naming the folder and the fix, and nothing is written through the links. The attacker is a real
 * second user (nobody, via setpriv); the victim is this process (root).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../src/service.js';
import { EventLog, LOG_FILE_NAME } from '../src/log/event-log.js';
import { toSyncError, type SyncError } from '../src/errors.js';
import { tmpDir, unavailable } from './helpers/system.js';
import { asNobody, secondUserUnavailable, sharedFolder } from './helpers/second-user.js';

async function openRefused(home: string): Promise<SyncError> {
  try {
    const svc = await SyncService.open({ home, embeddedServer: false });
    await svc.close();
  } catch (err) {
    return toSyncError(err);
  }
  assert.fail(`SyncService.open(${home}) was expected to refuse`);
}

function listing(dir: string): string[] {
  return readdirSync(dir).sort();
}

test('a home pre-created by another user (0777, logs and backups planted as links) is refused; nothing written through', async (t) => {
  const why = secondUserUnavailable();
  if (why) return unavailable(t, why);
  const { shared } = sharedFolder('place');
  const home = path.join(shared, '_SuperCordiax');
  // The attacker's readable folder (where the log would land) and the victim's folder (where backups would go).
  const attackerDir = path.join(shared, 'loot');
  asNobody(['mkdir', '-m', '0777', attackerDir]);
  const victim = tmpDir('cx-victim-');
  writeFileSync(path.join(victim, 'precious.db'), 'victim');
  asNobody(['mkdir', '-m', '0777', home]);
  asNobody(['ln', '-s', attackerDir, path.join(home, 'logs')]);
  asNobody(['ln', '-s', victim, path.join(home, 'backups')]);

  const e = await openRefused(home);
  assert.equal(e.code, 'PERMISSION_DENIED');
  assert.ok(e.text.es.includes(home) && e.text.en.includes(home), e.text.en);
  assert.match(e.text.es, /otro usuario \(uid 65534\)/);
  assert.match(e.text.en, /another user \(uid 65534\)/);
  assert.ok(e.hint?.es && e.hint.en, 'a fix is given');
  assert.deepEqual(listing(attackerDir), [], 'no log written to the attacker');
  assert.deepEqual(listing(victim), ['precious.db']);
  assert.equal(readFileSync(path.join(victim, 'precious.db'), 'utf8'), 'victim');
  assert.deepEqual(listing(home), ['backups', 'logs'], 'nothing created in the planted home');
});

test('our own home that others can write (0777) is refused with the chmod fix; after chmod 700 it opens', async () => {
  const home = path.join(tmpDir('cx-home-'), 'h');
  mkdirSync(home);
  chmodSync(home, 0o777);
  const e = await openRefused(home);
  assert.equal(e.code, 'PERMISSION_DENIED');
  assert.match(e.text.en, /other users can write to it \(mode 777\)/);
  assert.ok(e.hint?.en.includes(`chmod 700 '${home}'`), e.hint?.en);
  assert.deepEqual(listing(home), []);
  chmodSync(home, 0o700);
  const svc = await SyncService.open({ home, embeddedServer: false });
  await svc.close();
  assert.deepEqual(listing(home), ['backups', 'logs', 'pending', 'tmp']);
});

test('logs, backups or tmp that are links or belong to another user are refused by name', async (t) => {
  const elsewhere = tmpDir('cx-elsewhere-');
  for (const sub of ['logs', 'backups', 'tmp', 'pending']) {
    const home = tmpDir('cx-home-');
    symlinkSync(elsewhere, path.join(home, sub));
    const e = await openRefused(home);
    assert.equal(e.code, 'PERMISSION_DENIED');
    assert.ok(e.text.es.includes(path.join(home, sub)) && /enlace simbólico/.test(e.text.es), e.text.es);
    assert.ok(/symbolic link/.test(e.text.en));
  }
  assert.deepEqual(listing(elsewhere), []);

  const why = secondUserUnavailable();
  if (why) return unavailable(t, why);
  // A backups folder the other user made while the home was briefly open stays theirs after the home is fixed.
  const { shared } = sharedFolder('place');
  const home = path.join(shared, 'h');
  mkdirSync(home);
  chmodSync(home, 0o777);
  asNobody(['mkdir', '-m', '0700', path.join(home, 'backups')]);
  chmodSync(home, 0o700);
  const e = await openRefused(home);
  assert.ok(e.text.en.includes(path.join(home, 'backups')) && /another user/.test(e.text.en), e.text.en);
});

test('the home may be a link of ours to a private folder, not a link planted by another user', async (t) => {
  const real = tmpDir('cx-real-');
  const alias = path.join(tmpDir('cx-alias-'), 'home');
  symlinkSync(real, alias);
  const svc = await SyncService.open({ home: alias, embeddedServer: false });
  await svc.close();
  assert.ok(existsSync(path.join(real, 'logs')));

  const why = secondUserUnavailable();
  if (why) return unavailable(t, why);
  const { shared } = sharedFolder('place');
  const planted = path.join(shared, 'home');
  asNobody(['ln', '-s', tmpDir('cx-target-'), planted]);
  const e = await openRefused(planted);
  assert.match(e.text.en, /symbolic link/);
});

test('the log file is never written or read through a link planted in the logs folder', async () => {
  const dir = tmpDir('cx-logs-');
  const outside = path.join(tmpDir('cx-outside-'), 'stolen.jsonl');
  const planted = `${JSON.stringify({ id: 1, time: '2026-01-01', level: 'info', type: 'info', message: 'falso', message_en: 'fake' })}\n`;
  writeFileSync(outside, planted);
  symlinkSync(outside, path.join(dir, LOG_FILE_NAME));
  const log = new EventLog({ dir });
  assert.equal(log.recent().length, 0, 'the linked file was not read as our history');
  log.emit({ type: 'info', text: { es: 'secreto del registro', en: 'log secret' } });
  assert.equal(readFileSync(outside, 'utf8'), planted, 'nothing appended through the link');
  assert.equal(log.recent().length, 1, 'the event is still kept in memory');
});
