// The progress box and Cancelar in Chromium (issue 15, item 4), against a real Apache behind a proxy that holds the
// upload (test/helpers/gate-proxy.ts): the page names the phase ("Enviando 40 %"), Cancelar stops the sync with
// "Sincronización cancelada" and the remote byte for byte as it was; a page opened meanwhile shows the same box; once
// the version is being published the button is disabled and says why. Screenshots go to test-output/ui/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import { startApache, type ApacheServer } from './helpers/apache.js';
import { startGateProxy, type GateProxy } from './helpers/gate-proxy.js';
import { addRows, commandExists, makeLargeDb, makeTestDb, tmpDir } from './helpers/system.js';
import { buildUi, launchChromium, shot, startUiEnv, type UiEnv } from './ui-support.js';

let apache: ApacheServer;
let proxy: GateProxy;
let env: UiEnv;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const folder = 'cordiax_progress';
const pageErrors: string[] = [];

before(async () => {
  buildUi();
  if (!commandExists('apache2'))
    throw new Error('apache2 is not installed: the progress end-to-end test needs a real WebDAV server');
  apache = await startApache();
  proxy = await startGateProxy({ host: '127.0.0.1', port: apache.port });
  const home = tmpDir('cx-ui-progress-');
  makeTestDb(path.join(home, 'cordiax.db'), 30, { tag: 'recepcion' });
  env = await startUiEnv({ home });
  await env.svc.saveConfig({
    protocol: 'webdav',
    enabled: false,
    polling_interval: 300,
    webdav: {
      url: `${proxy.origin}/dav/`,
      username: apache.user,
      password: apache.password,
      remote_path: `/${folder}/`,
    },
    device_name: 'recepcion',
  } as Parameters<UiEnv['svc']['saveConfig']>[0]);
  assert.equal((await env.svc.syncNow()).action, 'push');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-ES' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(env.ui.url);
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await env?.close().catch(() => {});
  await proxy?.close();
  await apache?.stop();
});

function remoteTree(): Map<string, string> {
  const root = path.join(apache.dataDir, folder);
  const out = new Map<string, string>();
  for (const f of readdirSync(root, { recursive: true }).map(String)) {
    const p = path.join(root, f);
    out.set(f, existsSync(p) && !f.endsWith('/') ? hashOrDir(p) : 'dir');
  }
  return out;
}

function hashOrDir(p: string): string {
  try {
    return createHash('sha256').update(readFileSync(p)).digest('hex');
  } catch {
    return 'dir';
  }
}

function generation(): number {
  return (JSON.parse(readFileSync(path.join(apache.dataDir, folder, MANIFEST_FILE), 'utf8')) as { generation: number })
    .generation;
}

async function settled(): Promise<void> {
  for (let i = 0; i < 200 && [...remoteTree().keys()].some((f) => f.includes('.davfs.tmp')); i++)
    await new Promise((r) => setTimeout(r, 50));
}

describe('progreso y Cancelar en Chromium (WebDAV con Apache)', () => {
  test('la fase del envío, Cancelar, "Sincronización cancelada" y el servidor sin cambios', async () => {
    makeLargeDb(path.join(env.home, 'cordiax.db'), 3 * 1024 * 1024);
    const before = remoteTree();
    const gen = generation();
    const gate = proxy.gate({ line: /^PUT \S*\.cxtmp HTTP/, hold: 'request' });
    await page.click('#sync-now');
    await gate.reached;
    const phase = page.locator('#progress-phase');
    await phase.filter({ hasText: /^Enviando \d+ %/ }).waitFor({ timeout: 20000 });
    assert.match((await page.locator('#progress-detail').textContent()) ?? '', /\d+(,\d)? [KM]B de \d+(,\d)? MB/);
    // Only the phase is announced, never the ticks.
    assert.equal(await page.locator('#progress-live').textContent(), 'Enviando');
    assert.equal(await page.locator('#progress-cancel').isEnabled(), true);

    // A page opened now shows the same operation (from the status, before any new event).
    const other = await context.newPage();
    await other.goto(env.base);
    await other.locator('#progress[data-phase="upload"]').waitFor({ timeout: 20000 });
    await other.close();

    // A keyboard user on Cancelar keeps the focus while the card is redrawn around the box.
    await page.focus('#progress-cancel');
    await page.evaluate(() => {
      (document.getElementById('state') as HTMLElement & { old?: boolean }).old = true;
    });
    env.svc.log.emit({ type: 'state', code: 'SCHEDULER', text: { es: 'esperando', en: 'waiting' } });
    await page.waitForFunction(() => !(document.getElementById('state') as HTMLElement & { old?: boolean }).old);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'progress-cancel');

    await shot(page, 'progreso-01-enviando');
    await page.keyboard.press('Enter');
    await page.locator('.toast', { hasText: 'Sincronización cancelada' }).first().waitFor({ timeout: 20000 });
    await page.locator('#progress').waitFor({ state: 'detached', timeout: 20000 });
    gate.release();
    assert.match((await page.locator('#log-card').textContent()) ?? '', /Sincronización cancelada/);
    await settled();
    assert.deepEqual(remoteTree(), before, 'the remote holds exactly what it held');
    assert.equal(generation(), gen);
    await shot(page, 'progreso-02-cancelada');
  });

  test('al publicar, Cancelar queda desactivado y dice por qué', async () => {
    addRows(path.join(env.home, 'cordiax.db'), ['cita de las 9:15']);
    const gen = generation();
    const gate = proxy.gate({ line: /^PUT \S*\/commits\/\S+ HTTP/, hold: 'response' });
    await page.click('#sync-now');
    await gate.reached;
    await page.locator('#progress[data-phase="publish"]').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('#progress-phase').textContent(), 'Publicando…');
    assert.equal(await page.locator('#progress-cancel').isDisabled(), true);
    assert.equal(await page.locator('#progress-why').textContent(), 'Ya se está publicando; no se puede cancelar.');
    assert.equal(await page.locator('#progress-cancel').getAttribute('aria-describedby'), 'progress-why');
    await shot(page, 'progreso-03-publicando');
    gate.release();
    await page.locator('.toast', { hasText: 'Sincronización terminada' }).first().waitFor({ timeout: 20000 });
    assert.equal(generation(), gen + 1);
    assert.deepEqual(pageErrors, []);
  });
});
