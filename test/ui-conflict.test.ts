// The conflict panel in Debian's Chromium (playwright-core, headless), over a folder remote shared with a second
// "office computer": the diff per table, no pre-selected choice, "Usar la del servidor" that changes nothing until
// confirmed (the live database's hash is unchanged after a cancel and after an unconfirmed API call), the backup path,
// Deshacer, then a merge that reaches the other computer. Screenshots go to test-output/ui/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { SyncService } from '../src/service.js';
import { execSql, makeTestDb, sha256File, tmpDir } from './helpers/system.js';
import { buildUi, launchChromium, shot, startUiEnv, type UiEnv } from './ui-support.js';

let env: UiEnv;
let other: SyncService;
let browser: Browser;
let page: Page;
const remoteDir = tmpDir('cx-ui-conflict-remote-');
const pageErrors: string[] = [];

function dump(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT id || '|' || texto FROM notas ORDER BY id").pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** The live database's rows and the bytes of its files (the main file and its -wal, if any). */
async function liveFingerprint(file: string): Promise<string> {
  // An empty -wal appears when anyone (this test's dump too) opens a WAL database: only frames are content.
  const wal = existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0 ? await sha256File(`${file}-wal`) : '';
  return `${await sha256File(file)}|${wal}|${dump(file).join(',')}`;
}

async function toast(text: RegExp | string): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor({ timeout: 20000 });
}

before(async () => {
  buildUi();
  const home = tmpDir('cx-ui-conflict-');
  const db = path.join(home, 'cordiax.db');
  makeTestDb(db, 20, { tag: 'base' });
  env = await startUiEnv({ home });
  await env.svc.saveConfig({
    protocol: 'folder',
    folder: { path: remoteDir },
    database_path: db,
    device_name: 'oficina',
  });
  assert.equal((await env.svc.syncNow()).action, 'push');
  // The other computer takes it, changes row 3 and sends it; this one adds row 100: different rows on each side.
  const homeB = tmpDir('cx-ui-conflict-b-');
  const dbB = path.join(homeB, 'cordiax.db');
  other = await SyncService.open({ home: homeB, embeddedServer: false });
  await other.saveConfig({
    protocol: 'folder',
    folder: { path: remoteDir },
    database_path: dbB,
    device_name: 'recepcion',
  });
  assert.equal((await other.syncNow()).action, 'pull');
  execSql(dbB, "UPDATE notas SET texto = 'recepción cambia la 3' WHERE id = 3");
  assert.equal((await other.syncNow()).action, 'push');
  execSql(db, "INSERT INTO notas (id, texto) VALUES (100, 'oficina añade la 100')");
  assert.equal((await env.svc.syncNow()).action, 'conflict');

  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 1000 },
    locale: 'es-ES',
    timezoneId: 'Europe/Madrid',
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close().catch(() => {});
  await other?.close().catch(() => {});
  await env?.close().catch(() => {});
});

test('el conflicto muestra qué cambió en cada lado, sin opción preseleccionada', async () => {
  await page.goto(env.ui.url);
  const card = page.locator('#conflict-card');
  await card.locator('#conflict-diff').waitFor({ timeout: 30000 });
  const text = (await card.textContent()) ?? '';
  assert.match(text, /recepcion/);
  assert.match(text, /de hoy a las \d\d:\d\d:\d\d/);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no ISO times in the panel');
  assert.match(text, /última versión común \(la versión 1/);
  const row = card.locator('tr[data-table="notas"]');
  assert.match((await row.locator('td.local').textContent()) ?? '', /^1 añadidas · 0 cambiadas · 0 borradas/);
  assert.match((await row.locator('td.remote').textContent()) ?? '', /^0 añadidas · 1 cambiadas · 0 borradas/);
  await row.locator('td.remote summary').click();
  assert.match((await row.locator('td.remote').textContent()) ?? '', /texto: base-2 → recepción cambia la 3/);
  // Merge offered with its preview: 21 rows.
  assert.match((await card.locator('#conflict-merge').textContent()) ?? '', /21 filas en total/);
  // Four choices, none primary, none focused.
  for (const id of ['resolve-both', 'resolve-local', 'resolve-remote', 'resolve-merge']) {
    const cls = (await card.locator(`#${id}`).getAttribute('class')) ?? '';
    assert.doesNotMatch(cls, /btn-primary/, id);
  }
  const focused = await page.evaluate(() => document.activeElement?.id ?? '');
  assert.ok(!focused.startsWith('resolve-'), focused);
  assert.match((await card.locator('#conflict-copy-path').textContent()) ?? '', /cordiax\.conflict-recepcion-.*\.db$/);
  assert.match((await card.locator('#conflict-backups-path').textContent()) ?? '', /backups$/);
  await shot(page, 'conflict-01-diff');
  // On a phone the panel scrolls inside its table, never the page sideways.
  await page.setViewportSize({ width: 390, height: 900 });
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0]! <= widths[1]!, `page ${widths[0]} px wide at ${widths[1]} px`);
  await shot(page, 'conflict-01-diff-390');
  await page.setViewportSize({ width: 1280, height: 1000 });
});

test('«Usar la del servidor» pide confirmación: cancelar o no confirmar deja la base de datos igual', async () => {
  const db = path.join(env.home, 'cordiax.db');
  const before = await liveFingerprint(db);
  await page.click('#resolve-remote');
  const dialog = page.locator('#confirm[open]');
  await dialog.waitFor();
  const said = (await dialog.textContent()) ?? '';
  assert.ok(said.includes(db), 'the dialog names the database that would be replaced');
  assert.ok(said.includes(path.join(env.home, 'backups')), 'and where the backup goes');
  await shot(page, 'conflict-02-confirm');
  await dialog.locator('button', { hasText: 'Cancelar' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await liveFingerprint(db), before);
  // The API refuses without confirm: true, whatever the page does.
  const status = await page.evaluate(async () => {
    const csrf = document.querySelector<HTMLMetaElement>('meta[name="cordiax-csrf"]')!.content;
    const r = await fetch('/api/resolve', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf },
      body: JSON.stringify({ choice: 'remote' }),
    });
    return { status: r.status, body: await r.text() };
  });
  assert.equal(status.status, 409);
  assert.match(status.body, /confirmarla/);
  assert.equal(await liveFingerprint(db), before);
  assert.equal((await env.svc.status()).state, 'conflict');
});

test('confirmado: la del servidor en uso, la copia de seguridad a la vista, y Deshacer lo devuelve', async () => {
  const db = path.join(env.home, 'cordiax.db');
  const mine = dump(db);
  await page.click('#resolve-remote');
  await page.click('#confirm-ok');
  await page
    .locator('#conflict-resolved', { hasText: 'La versión del servidor sustituye' })
    .waitFor({ timeout: 30000 });
  const backup = ((await page.locator('#conflict-backup-path').textContent()) ?? '').trim();
  assert.ok(existsSync(backup), backup);
  assert.deepEqual(dump(backup), mine);
  assert.ok(dump(db).includes('3|recepción cambia la 3'));
  assert.ok(!dump(db).includes('100|oficina añade la 100'));
  await shot(page, 'conflict-03-resuelto');
  await page.locator('#conflict-undo').click();
  await page.click('#confirm-ok');
  await toast('Resolución deshecha');
  assert.deepEqual(dump(db), mine);
  await page.locator('#resolve-merge').waitFor({ timeout: 30000 });
  assert.equal((await env.svc.status()).state, 'conflict');
});

test('fusionar: las dos filas en uso, y la otra oficina la recibe', async () => {
  const db = path.join(env.home, 'cordiax.db');
  await page.click('#resolve-merge');
  assert.match((await page.locator('#confirm[open]').textContent()) ?? '', /21 filas/);
  await page.click('#confirm-ok');
  await page.locator('#conflict-resolved', { hasText: 'Se usa la fusión de las dos' }).waitFor({ timeout: 30000 });
  const rows = dump(db);
  assert.equal(rows.length, 21, rows.join(','));
  assert.ok(rows.includes('3|recepción cambia la 3') && rows.includes('100|oficina añade la 100'), rows.join(','));
  assert.equal((await env.svc.syncNow()).action, 'push');
  assert.equal((await other.syncNow()).action, 'pull');
  assert.deepEqual(dump(path.join(other.home, 'cordiax.db')), rows);
  assert.deepEqual(pageErrors, []);
});
