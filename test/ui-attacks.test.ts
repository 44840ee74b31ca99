// The review's attacks on the web UI that held, kept as tests so they keep holding: CSRF on every write endpoint
// with the bodies a foreign page can send without a preflight (HTML form, text/plain, sendBeacon), DNS rebinding
// from a real Chromium, XSS through a hostile WebDAV server's answers, and wrong tokens of equal and other lengths.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ROUTES } from '../src/ui/api.js';
import { buildUi, launchChromium, login, raw, startUiEnv, type UiEnv } from './ui-support.js';
import { makeTestDb, tmpDir } from './helpers/system.js';
import { SyncService } from '../src/service.js';

let env: UiEnv;
let cookie = '';
let csrf = '';
let configFile = '';
const remoteDir = tmpDir('cx-ui-att-r-');

before(async () => {
  buildUi();
  env = await startUiEnv();
  ({ cookie, csrf } = await login(env));
  configFile = path.join(env.home, 'sync_config.json');
  const saved = await raw(env.ui.port, {
    method: 'POST',
    path: '/api/config',
    body: JSON.stringify({
      config: { protocol: 'folder', enabled: false, polling_interval: 300, folder: { path: remoteDir } },
    }),
    headers: {
      Cookie: cookie,
      'Content-Type': 'application/json',
      'X-Cordiax-CSRF': csrf,
      Origin: `http://127.0.0.1:${env.ui.port}`,
    },
  });
  assert.equal(saved.status, 200, saved.body);
});
after(async () => {
  await env.close();
});

describe('CSRF en cada escritura', () => {
  test('formulario, text/plain y sendBeacon con la cookie válida: todo rechazado, la configuración no cambia', async () => {
    const writes = Object.keys(ROUTES)
      .filter((k) => k.startsWith('POST '))
      .map((k) => k.slice(5));
    // Guard against an empty list: the write endpoints the API had when this test was written.
    for (const p of ['/api/config', '/api/config/set-aside', '/api/test', '/api/sync', '/api/auto', '/api/sample-db'])
      assert.ok(writes.includes(p), p);
    const before = readFileSync(configFile);
    const evil = 'http://evil.example';
    // What a foreign page's browser sends: the cookie would go along if SameSite did not stop it; we assume it did not.
    const attacks: { name: string; type: string; body: string; headers: Record<string, string> }[] = [];
    const form = 'config%5Bprotocol%5D=webdav&config%5Bwebdav%5D%5Burl%5D=http%3A%2F%2Fevil.example%2F&run=true';
    const text = JSON.stringify({ config: { protocol: 'folder', folder: { path: '/tmp/evil' } }, run: true });
    for (const [name, type, body] of [
      ['form', 'application/x-www-form-urlencoded', form],
      ['text', 'text/plain', text],
      ['beacon', 'text/plain;charset=UTF-8', text],
    ] as const) {
      // A cross-site request from a modern browser (Origin + Sec-Fetch-Site).
      attacks.push({
        name: `${name} cross-site`,
        type,
        body,
        headers: {
          Origin: evil,
          'Sec-Fetch-Site': 'cross-site',
          'Sec-Fetch-Mode': name === 'beacon' ? 'no-cors' : 'navigate',
        },
      });
      // An old browser or a privacy extension that strips Origin and Sec-Fetch-*: only the CSRF header is left.
      attacks.push({ name: `${name} sin Origin`, type, body, headers: {} });
      // Origin "null" (sandboxed iframe, data: URL).
      attacks.push({ name: `${name} Origin null`, type, body, headers: { Origin: 'null' } });
    }
    for (const p of writes) {
      for (const a of attacks) {
        const r = await raw(env.ui.port, {
          method: 'POST',
          path: p,
          body: a.body,
          headers: { Cookie: cookie, 'Content-Type': a.type, ...a.headers },
        });
        assert.ok(r.status === 403, `${p} ${a.name}: ${r.status} ${r.body}`);
      }
    }
    // Even with the CSRF header (which a foreign page cannot set without a preflight), no form or text body passes.
    for (const p of writes) {
      const r = await raw(env.ui.port, {
        method: 'POST',
        path: p,
        body: form,
        headers: {
          Cookie: cookie,
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Cordiax-CSRF': csrf,
        },
      });
      assert.equal(r.status, 415, `${p}: ${r.body}`);
    }
    assert.deepEqual(readFileSync(configFile), before, 'the config file bytes are unchanged');
    // Positive control: the same cookie with the header and JSON does reach the API.
    const okAuto = await raw(env.ui.port, {
      method: 'POST',
      path: '/api/auto',
      body: JSON.stringify({ run: false }),
      headers: { Cookie: cookie, 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf },
    });
    assert.equal(okAuto.status, 200, okAuto.body);
  });
});

describe('tokens', () => {
  test('un token equivocado de la misma longitud y otro de distinta longitud: ambos rechazados', async () => {
    const tok = env.ui.token;
    const flip = (tok[0] === 'A' ? 'B' : 'A') + tok.slice(1);
    const lastFlip = tok.slice(0, -1) + (tok.at(-1) === 'A' ? 'B' : 'A');
    for (const t of [
      flip,
      lastFlip,
      tok.slice(0, -1),
      `${tok}x`,
      '',
      tok.toUpperCase() === tok ? 'x' : tok.toUpperCase(),
    ]) {
      const r = await raw(env.ui.port, { path: '/api/status', headers: { Authorization: `Bearer ${t}` } });
      assert.equal(r.status, 401, `token variant of length ${t.length}`);
    }
    const good = await raw(env.ui.port, { path: '/api/status', headers: { Authorization: `Bearer ${tok}` } });
    assert.equal(good.status, 200);
    // The same for the CSRF value: equal length but wrong, and shorter.
    const wrongCsrf = (csrf[0] === 'A' ? 'B' : 'A') + csrf.slice(1);
    for (const c of [wrongCsrf, csrf.slice(1)]) {
      const r = await raw(env.ui.port, {
        method: 'POST',
        path: '/api/auto',
        body: JSON.stringify({ run: false }),
        headers: { Cookie: cookie, 'Content-Type': 'application/json', 'X-Cordiax-CSRF': c },
      });
      assert.equal(r.status, 403);
    }
  });
});

describe('DNS rebinding desde Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1']);
  });
  after(async () => {
    await browser?.close();
  });

  test('evil.test -> 127.0.0.1: la página y /api/status se rechazan; por 127.0.0.1 funciona', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      // The victim logged in through the real address: the cookie exists in this browser.
      await page.goto(env.ui.loginUrl());
      assert.equal(page.url(), `${env.base}/`);
      const own = await page.evaluate(async () => (await fetch('/api/status')).status);
      assert.equal(own, 200);
      // The attacker's name now resolves to 127.0.0.1: the browser thinks evil.test is the origin.
      const evil = `http://evil.test:${env.ui.port}/`;
      const nav = await page.goto(evil);
      assert.equal(nav?.status(), 421);
      const body = (await page.textContent('body')) ?? '';
      assert.ok(!body.includes('cordiax-csrf'));
      const r = await page.evaluate(async () => {
        const a = await fetch('/api/status');
        const b = await fetch('/api/state');
        const c = await fetch('/api/sync', { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } });
        return [a.status, b.status, c.status, await b.text()];
      });
      assert.deepEqual(r.slice(0, 3), [421, 421, 421]);
      assert.ok(!String(r[3]).includes('folder'), 'no config in the refusal');
    } finally {
      await ctx.close();
    }
  });
});

/** What the hostile server puts in every text it controls: an inline handler and a script, both setting __pwned. */
const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=2</script>';

describe('XSS por respuestas del servidor', () => {
  let browser: Browser;
  let hostile: http.Server;
  let hostilePort = 0;
  before(async () => {
    // A WebDAV-like server whose every answer is an error with the payload in the reason phrase, headers and body.
    // A WebDAV-like server: OPTIONS answers with the payload in the headers the diagnosis shows (Server, DAV); every
    // other request is an error with the payload in the reason phrase and the body.
    hostile = http.createServer((req, res) => {
      req.resume();
      if (req.method === 'OPTIONS') {
        res.writeHead(200, { DAV: `1, 2, ${IMG}`, Server: `Apache ${SCRIPT}${IMG}`, 'Content-Length': 0 });
        return res.end();
      }
      res.statusMessage = `Fallo ${IMG}`;
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end(`<html><body>${IMG}${SCRIPT}<d:error xmlns:d="DAV:">${IMG}</d:error></body></html>`);
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    hostilePort = (hostile.address() as { port: number }).port;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    hostile?.close();
  });

  async function openPage() {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // Counted from the first script on: an injected inline handler would at least trip the CSP.
    await page.addInitScript(() => {
      (window as unknown as { __csp: string[] }).__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.sample}`),
      );
    });
    await page.goto(env.ui.loginUrl());
    await page.locator('#state').waitFor();
    return { ctx, page };
  }

  async function assertNothingRan(page: import('playwright-core').Page, where: string) {
    const seen = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      csp: (window as unknown as { __csp: string[] }).__csp,
      imgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
      inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
      handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
    }));
    assert.deepEqual(seen, { pwned: undefined, csp: [], imgs: 0, inlineScripts: 0, handlers: 0 }, where);
  }

  test('Probar Conexión contra un servidor hostil: el error se muestra como texto, no se ejecuta nada', async () => {
    const { ctx, page } = await openPage();
    try {
      await page.click('#tab-webdav');
      await page.fill('#f-webdav-url', `http://127.0.0.1:${hostilePort}/dav/`);
      await page.fill('#f-webdav-username', 'ana');
      await page.fill('#f-webdav-password', 'x');
      await page.click('#test-webdav');
      const diag = page.locator('#diagnosis-webdav.tone-bad');
      await diag.waitFor({ timeout: 30000 });
      const text = (await diag.textContent()) ?? '';
      assert.ok(text.length > 0);
      // The server's own words reach the page (the Server header among the facts), as literal characters.
      assert.ok(text.includes(`Apache ${SCRIPT}${IMG}`), text);
      assert.ok((await diag.innerHTML()).includes('&lt;script&gt;'));
      await assertNothingRan(page, 'after Probar Conexión');
    } finally {
      await ctx.close();
    }
  });

  test('el nombre de equipo del manifiesto con HTML: se muestran escapados, no se ejecuta nada', async () => {
    // Another office computer sends a version; then its manifest is edited as a hostile remote would serve it.
    const homeB = tmpDir('cx-ui-att-b-');
    const dbB = path.join(homeB, 'cordiax.db');
    makeTestDb(dbB, 20);
    const b = await SyncService.open({ home: homeB, embeddedServer: false });
    try {
      await b.saveConfig({
        protocol: 'folder',
        enabled: false,
        polling_interval: 300,
        folder: { path: remoteDir },
        database_path: dbB,
        device_name: 'recepcion',
      } as Parameters<SyncService['saveConfig']>[0]);
      await b.syncNow();
    } finally {
      await b.close();
    }
    const edited: string[] = [];
    for (const f of readdirSync(remoteDir, { recursive: true }).map(String)) {
      if (!f.endsWith('.json')) continue;
      const full = path.join(remoteDir, f);
      const text = readFileSync(full, 'utf8');
      if (!text.includes('"recepcion"')) continue;
      writeFileSync(full, text.replaceAll('"recepcion"', JSON.stringify(`recepcion${IMG}${SCRIPT}`)));
      edited.push(f);
    }
    assert.ok(edited.length > 0, `no manifest found in ${readdirSync(remoteDir, { recursive: true }).join(', ')}`);
    const { ctx, page } = await openPage();
    try {
      await page.click('#sync-now');
      await page.locator('#sync-now:not([disabled])').waitFor({ timeout: 30000 });
      // The device name reaches the page (versions, status or log) as literal text.
      await page.waitForFunction(() => document.body.textContent?.includes('recepcion'), undefined, {
        timeout: 20000,
      });
      const body = await page.evaluate(() => document.body.textContent ?? '');
      assert.ok(body.includes(`recepcion${IMG}${SCRIPT}`), 'the payload is shown as text');
      assert.ok((await page.innerHTML('#versions-card')).includes('recepcion&lt;img src=x'));
      await assertNothingRan(page, 'right after the sync');
      await page.reload();
      await page.locator('#state').waitFor();
      await page.waitForFunction(() => document.body.textContent?.includes('recepcion'), undefined, {
        timeout: 20000,
      });
      await assertNothingRan(page, 'after a sync from a hostile manifest');
    } finally {
      await ctx.close();
    }
  });
});
