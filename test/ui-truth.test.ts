// The page tells the truth (issue 15, items 5 and 8, and the desktop notice of 10), in Debian's Chromium against a
// real Apache WebDAV server: an incomplete save says what is missing beside the field (never "Configuración
// guardada"), a disabled button says why; a bare host gets https://; a wrong password gives one headline naming the
// password field with the protocol steps folded; "Generar clave" writes a 0600 key that the age CLI uses; a server
// that still holds plaintext versions is shown with "Cifrar ahora", which leaves only age objects on the server and
// the local rows as they were; a conflict shows "Detenida" (never "Activa · próxima") and a desktop notification
// when the tab is hidden. axe-core is not in node_modules, so no axe run here (see the report of this branch).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openSync, readFileSync, readSync, readdirSync, closeSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SyncService } from '../src/service.js';
import { httpError } from '../src/transports/webdav/errors.js';
import { saveConfig } from '../src/config/store.js';
import type { SyncError } from '../src/errors.js';
import { startApache, type ApacheServer } from './helpers/apache.js';
import { age } from './helpers/age.js';
import { addRows, commandExists, makeTestDb, tmpDir } from './helpers/system.js';
import { buildUi, launchChromium, shot, startUiEnv, type UiEnv } from './ui-support.js';

const AGE_HEADER = 'age-encryption.org/v1';
let apache: ApacheServer;
let env: UiEnv;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let keyFile = '';
let recipient = '';
const pageErrors: string[] = [];
const bodies: Array<{ url: string; body: string }> = [];

/** Every row of the test table, blobs included, as one hash: "the local rows are unchanged". */
function rowsHash(file: string): { count: number; sha256: string } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id, texto, hex(relleno) AS r FROM notas ORDER BY id').all();
    return { count: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
  } finally {
    db.close();
  }
}

function firstBytes(file: string, n: number): string {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/** The version objects on the server, as Apache stores them (temporary names included). */
function remoteObjects(): string[] {
  const dir = path.join(apache.dataDir, 'cordiax_sync', 'versions');
  return readdirSync(dir).map((f) => path.join(dir, f));
}

async function statusMessage(text: RegExp | string): Promise<void> {
  await page.locator('#toasts .toast', { hasText: text }).waitFor({ timeout: 30000 });
}

before(async () => {
  buildUi();
  if (!commandExists('apache2')) throw new Error('apache2 is not installed: this test needs a real WebDAV server');
  if (!commandExists('age')) throw new Error('age is not installed (Debian package age): the key test needs it');
  apache = await startApache();
  const home = tmpDir('cx-ui-truth-');
  makeTestDb(path.join(home, 'cordiax.db'), 40, { tag: 'recepcion' });
  env = await startUiEnv({ home });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, locale: 'es-ES' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', async (r) => {
    if ((r.headers()['content-type'] ?? '').includes('event-stream')) return;
    bodies.push({ url: r.url(), body: await r.text().catch(() => '') });
  });
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await env?.close().catch(() => {});
  await apache?.stop().catch(() => {});
});

describe('estados que dicen la verdad (Chromium, WebDAV con Apache)', () => {
  test('guardar una configuración incompleta: el problema junto al campo, nunca «Configuración guardada»', async () => {
    await page.goto(env.ui.url);
    await page.locator('#state').waitFor();
    // Nothing saved yet: "Sincronizar Ahora" is disabled and says why, beside it.
    const why = await page.evaluate(() => {
      const b = document.getElementById('sync-now') as HTMLButtonElement;
      const id = b.getAttribute('aria-describedby') ?? '';
      const el = id ? document.getElementById(id) : null;
      return {
        disabled: b.disabled,
        text: el?.textContent ?? '',
        visible: !!el && el.getBoundingClientRect().width > 0,
      };
    });
    assert.deepEqual(why, { disabled: true, text: 'Complete y guarde la configuración primero.', visible: true });

    await page.selectOption('#f-protocol', 'webdav');
    await page.click('#tab-webdav');
    await page.fill('#f-webdav-url', `${apache.origin}/dav/`);
    await page.click('#save-config');
    await statusMessage('Guardada, pero todavía no puede sincronizar');
    assert.doesNotMatch((await page.textContent('#toasts')) ?? '', /Configuración guardada/);
    assert.equal(await page.locator('#toasts .toast').count(), 1);
    // The problem is on the user name field, read with it.
    assert.equal(await page.getAttribute('#f-webdav-username', 'aria-invalid'), 'true');
    const described = await page.evaluate(() =>
      (document.getElementById('f-webdav-username')!.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' | '),
    );
    assert.match(described, /usuario/i);
    assert.match(
      (await page.textContent('#save-summary')) ?? '',
      /Guardada, pero todavía no puede sincronizar:.*Usuario: .*usuario/s,
    );
    // Sincronizar Ahora, disabled, names what is missing.
    assert.equal(await page.isDisabled('#sync-now'), true);
    assert.match(
      (await page.textContent('.btn-with-reason:has(#sync-now) .why')) ?? '',
      /^Falta completar: Usuario\.$/,
    );
    const saved = JSON.parse(readFileSync(path.join(env.home, 'sync_config.json'), 'utf8')) as { protocol: string };
    assert.equal(saved.protocol, 'webdav'); // it was saved: the message says so, and what is missing
    await shot(page, 'truth-01-guardada-incompleta');
    // What the API already knows is on its field from the first paint too.
    await page.reload();
    await page.locator('#state').waitFor();
    assert.equal(await page.getAttribute('#f-webdav-username', 'aria-invalid'), 'true');
    assert.match((await page.textContent('#f-webdav-username-error')) ?? '', /usuario/i);
  });

  test('un nombre de servidor sin https:// lo recibe al salir del campo, y se dice', async () => {
    await page.fill('#f-webdav-url', 'nube.example.com/remote.php/dav');
    await page.press('#f-webdav-url', 'Tab');
    assert.equal(await page.inputValue('#f-webdav-url'), 'https://nube.example.com/remote.php/dav');
    const note = page.locator('.field[data-key="webdav.url"] .scheme-added');
    assert.ok(await note.isVisible());
    assert.match((await note.textContent()) ?? '', /Se ha añadido https:\/\//);
    assert.ok(((await page.getAttribute('#f-webdav-url', 'aria-describedby')) ?? '').includes('f-webdav-url-scheme'));
    // This computer's own address gets http:// (the embedded server and local tests speak plain HTTP).
    await page.fill('#f-webdav-url', 'localhost:8080/dav/');
    await page.press('#f-webdav-url', 'Tab');
    assert.equal(await page.inputValue('#f-webdav-url'), 'http://localhost:8080/dav/');
    assert.match((await note.textContent()) ?? '', /Se ha añadido http:\/\/.*este mismo equipo/);
    // An address with its scheme is left alone.
    await page.fill('#f-webdav-url', `${apache.origin}/dav/`);
    await page.press('#f-webdav-url', 'Tab');
    assert.equal(await page.inputValue('#f-webdav-url'), `${apache.origin}/dav/`);
  });

  test('contraseña incorrecta: un titular que nombra la contraseña, el campo marcado, los pasos plegados', async () => {
    await page.fill('#f-webdav-username', apache.user);
    await page.fill('#f-webdav-password', 'contraseña-equivocada');
    await page.click('#test-webdav');
    const diag = page.locator('#diagnosis-webdav.tone-bad');
    await diag.waitFor({ timeout: 30000 });
    assert.equal(await diag.locator('.diag-headline').count(), 1);
    assert.match((await diag.locator('.diag-headline').textContent()) ?? '', /^✕Revise «Contraseña»$/);
    assert.match((await diag.locator('.diag-error').textContent()) ?? '', /Usuario o contraseña incorrectos/);
    assert.equal(await diag.getAttribute('data-field'), 'webdav.password');
    assert.equal(await page.getAttribute('#f-webdav-password', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-webdav-password');
    // A test saves nothing and refuses nothing: no "no se ha guardado nada" summary because of it.
    assert.doesNotMatch((await page.textContent('#save-summary')) ?? '', /no se ha guardado nada/);
    // The protocol steps are there, folded under "Detalles técnicos".
    const tech = diag.locator('details.tech');
    assert.equal(await tech.locator('summary').textContent(), 'Detalles técnicos');
    assert.equal(await tech.evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.ok((await tech.locator('.steps li').count()) >= 1);
    assert.equal(await tech.locator('.steps').isVisible(), false);
    // No toast on top of the report.
    assert.ok((await page.locator('#toasts .toast').count()) <= 1); // one status region, never a stack
    assert.doesNotMatch((await page.textContent('#toasts')) ?? '', /prueba de conexión/i);
    await shot(page, 'truth-02-contrasena-incorrecta');
  });

  test('un valor del formulario no válido: «Corrija los campos marcados», no «Corrija el archivo a mano»', async () => {
    await page.fill('#f-webdav-url', 'ftp://nube.example.com/dav/');
    await page.click('#test-webdav');
    const diag = page.locator('#diagnosis-webdav.tone-bad[data-field="webdav.url"]');
    await diag.waitFor({ timeout: 30000 });
    const text = (await diag.textContent()) ?? '';
    assert.match(text, /Revise «URL del servidor»/);
    assert.match(text, /Corrija los campos marcados del formulario/);
    assert.doesNotMatch(text, /Corrija el archivo a mano/);
    await page.fill('#f-webdav-url', `${apache.origin}/dav/`);
  });

  test('la pista «use …/remote.php/dav» no aparece si la URL ya lo lleva', () => {
    const typed = httpError(405, { method: 'PROPFIND', target: 'x/', basePath: '/remote.php/dav/' });
    assert.doesNotMatch(typed.hint!.es, /use https:\/\/servidor\/remote\.php\/dav/);
    assert.match(typed.hint!.es, /ya apunta a remote\.php\/dav/);
    const other = httpError(405, { method: 'PROPFIND', target: 'x/', basePath: '/carpeta/' });
    assert.match(other.hint!.es, /use https:\/\/servidor\/remote\.php\/dav/);
  });

  test('guardar valores no válidos no pide corregir el archivo a mano (el archivo no tiene la culpa)', async () => {
    const file = path.join(tmpDir('cx-ui-truth-cfg-'), 'sync_config.json');
    await assert.rejects(saveConfig({ polling_interval: 5 }, file), (e: unknown) => {
      const err = e as SyncError;
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.hint!.es, /No se ha guardado nada: corrija los valores indicados/);
      assert.doesNotMatch(err.hint!.es, /a mano/);
      return true;
    });
  });

  test('completa: «Configuración guardada»; dos versiones sin cifrar en el servidor', async () => {
    await page.fill('#f-webdav-password', apache.password);
    await page.click('#save-config');
    await statusMessage('Configuración guardada');
    assert.equal(await page.getAttribute('#f-webdav-username', 'aria-invalid'), 'false');
    assert.equal((await env.svc.syncNow()).action, 'push');
    addRows(path.join(env.home, 'cordiax.db'), ['segunda versión']);
    assert.equal((await env.svc.syncNow()).action, 'push');
    const plain = remoteObjects().filter((f) => !firstBytes(f, AGE_HEADER.length).startsWith(AGE_HEADER));
    assert.ok(plain.length >= 2, `plaintext objects: ${plain.length}`);
    await page.reload();
    await page.locator('#state[data-tone="ok"]').waitFor({ timeout: 30000 });
  });

  test('«Generar clave»: archivo 0600 en la carpeta de Cordiax y una clave pública que funciona con age', async () => {
    await page
      .locator('details.advanced', { has: page.locator('#f-encryption-enabled') })
      .locator('summary')
      .click();
    await page.check('#f-encryption-enabled', { force: true });
    // Encryption on without a key: saved, but it says it cannot sync, on the public keys field.
    await page.click('#save-config');
    await statusMessage('Guardada, pero todavía no puede sincronizar');
    assert.equal(await page.getAttribute('#f-encryption-recipients', 'aria-invalid'), 'true');
    assert.match((await page.textContent('#f-encryption-recipients-error')) ?? '', /clave pública/i);
    await page.click('#generate-key');
    const box = page.locator('#key-created');
    await box.waitFor();
    assert.match((await box.textContent()) ?? '', /Guarde una copia de esta clave/);
    assert.match((await box.textContent()) ?? '', /Sin ella no se pueden leer los datos cifrados/);
    keyFile = (await box.locator('code').textContent()) ?? '';
    assert.equal(path.dirname(keyFile), path.join(env.home, 'keys'));
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(keyFile)).mode & 0o777, 0o700);
    recipient = (await page.inputValue('#f-encryption-recipients')).trim();
    assert.match(recipient, /^age1[02-9ac-hj-np-z]{58}$/);
    assert.equal(await page.inputValue('#f-encryption-identity_file'), keyFile);
    // A round trip with the real age CLI: encrypt to the recipient, decrypt with the key file.
    const plain = Buffer.from(`prueba ${Date.now()}`);
    const enc = age(['-r', recipient], plain);
    assert.equal(enc.status, 0, enc.stderr);
    assert.ok(enc.stdout.subarray(0, AGE_HEADER.length).toString() === AGE_HEADER);
    const dec = age(['-d', '-i', keyFile], enc.stdout);
    assert.equal(dec.status, 0, dec.stderr);
    assert.deepEqual(dec.stdout, plain);
    await page.click('#save-config');
    await statusMessage('Configuración guardada');
    await shot(page, 'truth-03-clave-generada');
  });

  test('el servidor guarda versiones sin cifrar: aviso y «Cifrar ahora» deja solo objetos age; la base local igual', async () => {
    const db = path.join(env.home, 'cordiax.db');
    const rowsBefore = rowsHash(db);
    const warning = page.locator('#plaintext-warning');
    await warning.waitFor({ timeout: 30000 });
    assert.match((await warning.textContent()) ?? '', /El servidor todavía guarda versiones sin cifrar/);
    assert.match((await page.textContent('#encryption')) ?? '', /todavía guarda versiones sin cifrar/);
    assert.equal((await env.svc.status()).encryption, 'unlocked');
    await shot(page, 'truth-04-versiones-sin-cifrar');

    // Cancelling the confirmation changes nothing on the server.
    const objectsBefore = remoteObjects().sort();
    await page.click('#encrypt-now');
    await page.locator('#confirm[open]').waitFor();
    assert.match((await page.textContent('#confirm')) ?? '', /borrar las versiones sin cifrar/);
    await page.click('#confirm .dialog-actions button:not(#confirm-ok)');
    assert.deepEqual(remoteObjects().sort(), objectsBefore);

    await page.click('#encrypt-now');
    await page.locator('#confirm[open]').waitFor();
    await page.click('#confirm-ok');
    await statusMessage('El servidor solo guarda versiones cifradas');
    await warning.waitFor({ state: 'detached', timeout: 30000 });

    const objects = remoteObjects();
    assert.ok(objects.length >= 1);
    for (const f of objects)
      assert.equal(firstBytes(f, AGE_HEADER.length), AGE_HEADER, `${path.basename(f)} is not an age file`);
    const manifest = JSON.parse(
      readFileSync(path.join(apache.dataDir, 'cordiax_sync', 'cordiax-sync.json'), 'utf8'),
    ) as {
      file: string;
      encrypted: boolean;
      versions?: Array<{ file: string }>;
    };
    assert.equal(manifest.encrypted, true);
    for (const f of [manifest.file, ...(manifest.versions ?? []).map((v) => v.file)]) assert.match(f, /\.age$/);
    // The head opens with the generated key and holds exactly the local rows; the local database did not change.
    const head = path.join(apache.dataDir, 'cordiax_sync', manifest.file);
    const dec = age(['-d', '-i', keyFile], readFileSync(head));
    assert.equal(dec.status, 0, dec.stderr);
    const copy = path.join(tmpDir('cx-ui-truth-dec-'), 'head.db');
    writeFileSync(copy, dec.stdout);
    assert.deepEqual(rowsHash(copy), rowsBefore);
    assert.deepEqual(rowsHash(db), rowsBefore);
    assert.equal((await env.svc.status()).remotePlaintext, 0);
    // The next sync has nothing to do.
    assert.equal((await env.svc.syncNow()).action, 'none');
  });

  test('con un conflicto, «Detenida: hay un conflicto por resolver» y no «Activa · próxima»; aviso de escritorio', async () => {
    // A second computer with the same key shares the server: it receives, changes and sends.
    const homeB = tmpDir('cx-ui-truth-b-');
    const dbB = path.join(homeB, 'cordiax.db');
    const b = await SyncService.open({ home: homeB, embeddedServer: false });
    try {
      await b.saveConfig({
        protocol: 'webdav',
        webdav: { url: `${apache.origin}/dav/`, username: apache.user, password: apache.password },
        database_path: dbB,
        device_name: 'oficina-2',
        encryption: { enabled: true, mode: 'x25519', recipients: [recipient], identity_file: keyFile },
      });
      assert.equal((await b.syncNow()).action, 'pull');
      addRows(dbB, ['cambio en la oficina 2']);
      assert.equal((await b.syncNow()).action, 'push');
    } finally {
      await b.close();
    }
    // The page opts in to desktop notices; the browser's Notification is recorded, and the tab is "hidden".
    // A string: tsx would wrap a class written here in __name, which the page does not have.
    await page.evaluate(`(() => {
      window.notes = [];
      window.Notification = class {
        static permission = 'granted';
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title) { window.notes.push(title); this.onclick = null; }
        close() {}
      };
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    })()`);
    await page.check('#notify-desktop', { force: true });
    assert.equal(await page.evaluate(() => localStorage.getItem('cordiax-ui-notify')), '1');

    // The local change comes before automatic sync starts: starting it syncs at once, and a sync that pulled the
    // other computer's version first would leave nothing to conflict with (the race made this test flaky).
    addRows(path.join(env.home, 'cordiax.db'), ['cambio en recepción']);
    await page.check('#f-enabled', { force: true });
    await page.fill('#f-polling_interval', '600');
    await page.click('#save-config');
    await statusMessage('Configuración guardada');
    await page.click('#auto-toggle');
    await page.locator('#auto-state', { hasText: 'Activa' }).waitFor({ timeout: 30000 });

    assert.equal((await env.svc.syncNow()).action, 'conflict');
    await page.locator('#state[data-state="conflict"]').waitFor({ timeout: 30000 });
    const auto = page.locator('#auto-state');
    await auto.locator('dd', { hasText: 'Detenida: hay un conflicto por resolver' }).waitFor({ timeout: 30000 });
    assert.doesNotMatch((await auto.textContent()) ?? '', /próxima/);
    assert.equal((await env.svc.status()).schedulerRunning, true); // the scheduler runs; syncing is what stopped
    await page.waitForFunction(() => (window as unknown as { notes: string[] }).notes.length > 0);
    assert.match((await page.evaluate(() => (window as unknown as { notes: string[] }).notes[0])) ?? '', /Conflicto/);
    await shot(page, 'truth-05-conflicto-detenida');
    await page.click('#auto-toggle');
  });

  test('frase de paso: un campo que solo se escribe, guardado en un archivo 0600 que la configuración nombra', async () => {
    const secret = `frase de paso ${Date.now()} ñ`;
    await page.reload();
    await page.locator('#state').waitFor();
    await page.locator('details.advanced', { has: page.locator('#f-encryption-enabled') }).evaluate((d) => {
      (d as HTMLDetailsElement).open = true;
    });
    await page.selectOption('#f-encryption-mode', 'passphrase');
    // Redrawn for the mode: the passphrase field instead of "Generar clave".
    const field = page.locator('#f-encryption-passphrase');
    await field.waitFor();
    assert.equal(await field.getAttribute('type'), 'password');
    assert.equal(await page.locator('#generate-key').count(), 0);
    await field.fill(secret);
    await page.click('#save-config');
    await statusMessage(/Configuración guardada|Guardada/);
    const file = path.join(env.home, 'keys', 'frase-de-paso.txt');
    assert.equal(readFileSync(file, 'utf8'), secret);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(path.join(env.home, 'sync_config.json'), 'utf8')) as {
      encryption: { mode: string; passphrase_file?: string };
    };
    assert.deepEqual([saved.encryption.mode, saved.encryption.passphrase_file], ['passphrase', file]);
    // Write-only: after the save the field is empty and says a passphrase is stored; no answer ever carried it.
    assert.equal(await page.inputValue('#f-encryption-passphrase'), '');
    assert.equal(await page.locator('.field[data-key="encryption.passphrase"] .chip-ok').count(), 1);
    for (const b of bodies) assert.ok(!b.body.includes(secret), `passphrase in the answer of ${b.url}`);
    assert.ok(!readFileSync(path.join(env.home, 'sync_config.json'), 'utf8').includes(secret));
  });

  test('la página no ha tenido ningún error de JavaScript', () => {
    assert.deepEqual(pageErrors, []);
  });
});
