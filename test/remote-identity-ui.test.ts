// "¿Es el mismo servidor?" in Chromium (issue 15, item 2): the address is changed to a folder that holds another
// office's remote; the page shows the question instead of a sync, the status card says so, and "Usar este servidor
// nuevo" compares it as a first sync: the local database stays byte for byte, the other remote's version is kept
// beside it as a conflict copy and the conflict card appears. Folder remotes only (no server needed besides ours).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { SyncService } from '../src/service.js';
import { makeTestDb, readRows, tmpDir } from './helpers/system.js';
import { buildUi, launchChromium, shot, startUiEnv, type UiEnv } from './ui-support.js';

let env: UiEnv;
let browser: Browser;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

before(async () => {
  buildUi();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close().catch(() => {});
  await env?.close().catch(() => {});
});

test('the page asks «¿Es el mismo servidor?» and «Usar este servidor nuevo» keeps both copies', async () => {
  const one = path.join(tmpDir('cx-idui-one-'), 'cordiax_sync');
  const two = path.join(tmpDir('cx-idui-two-'), 'cordiax_sync');
  // Another office's remote at the second folder.
  const otherHome = tmpDir('cx-idui-other-');
  makeTestDb(path.join(otherHome, 'cordiax.db'), 40, { tag: 'otra' });
  const other = await SyncService.open({ home: otherHome, embeddedServer: false });
  await other.saveConfig({ enabled: false, protocol: 'folder', device_name: 'otraOficina', folder: { path: two } });
  assert.equal((await other.syncNow()).action, 'push');
  await other.close();

  const home = tmpDir('cx-idui-');
  const db = makeTestDb(path.join(home, 'cordiax.db'), 70, { tag: 'oficina' });
  env = await startUiEnv({ home });
  await env.svc.saveConfig({ enabled: false, protocol: 'folder', device_name: 'recepcion', folder: { path: one } });
  assert.equal((await env.svc.syncNow()).action, 'push');
  await env.svc.saveConfig({ enabled: false, protocol: 'folder', device_name: 'recepcion', folder: { path: two } });
  assert.equal((await env.svc.syncNow()).action, 'question');
  const before = sha(db);

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'es-ES' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.ui.url);
  const card = page.locator('#remote-question-card');
  await card.waitFor({ state: 'visible' });
  const text = (await card.textContent()) ?? '';
  assert.match(text, /¿Es el mismo servidor\?/);
  assert.match(text, /otra identidad/);
  assert.match(text, /No se ha descargado ni enviado nada/);
  assert.match((await page.textContent('#status-card')) ?? '', /¿Es el mismo servidor\?/);
  assert.match((await page.textContent('#remote-use-new')) ?? '', /Usar este servidor nuevo/);
  assert.match((await page.textContent('#remote-go-back')) ?? '', /Volver a la dirección anterior/);
  assert.equal(await page.locator('#conflict-card').isVisible(), false);
  await shot(page, 'identity-1-pregunta');

  await page.click('#remote-use-new');
  await page.locator('#conflict-card').waitFor({ state: 'visible' });
  await card.waitFor({ state: 'hidden' });
  await shot(page, 'identity-2-conflicto');
  assert.equal(sha(db), before, 'the local database stays byte for byte');
  const st = await env.svc.status();
  assert.equal(st.state, 'conflict');
  assert.ok(st.conflict?.copyPath);
  assert.equal(readRows(st.conflict.copyPath).length, 40, 'the other remote is kept beside it');
  assert.equal(readRows(db).length, 70);
  assert.deepEqual(errors, []);
  await context.close();
});
