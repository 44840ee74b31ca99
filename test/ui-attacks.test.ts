// The review's attacks on the web UI that held, kept as tests so they keep holding: CSRF on every write endpoint
// with the bodies a foreign page can send without a preflight (HTML form, text/plain, sendBeacon), DNS rebinding
// from a real Chromium, XSS through a hostile WebDAV server's answers, and wrong tokens of equal and other lengths.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import diagnostics_channel from 'node:diagnostics_channel';
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROUTES } from '../src/ui/api.js';
import { buildUi, launchChromium, login, raw, startUiEnv, type UiEnv } from './ui-support.js';
import { addRows, makeTestDb, readRows, tmpDir } from './helpers/system.js';
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

/** A logged-in page that records CSP violations from its first script on (an injected handler would trip the CSP). */
async function openWatchedPage(browser: Browser, on: UiEnv) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.sample}`),
    );
  });
  await page.goto(on.ui.loginUrl());
  await page.locator('#state').waitFor();
  return { ctx, page };
}

/** No payload ran: the flag is unset, no CSP violation, no element or handler the payloads would have made. */
/**
 * Another office computer ("recepcion") sends a first version to a folder remote, then one more per batch of rows;
 * returns its database.
 */
async function otherComputerSyncs(remote: string, batches: string[][] = []): Promise<string> {
  const homeB = tmpDir('cx-ui-att-b-');
  const dbB = path.join(homeB, 'cordiax.db');
  makeTestDb(dbB, 20);
  const b = await SyncService.open({ home: homeB, embeddedServer: false });
  try {
    await b.saveConfig({
      protocol: 'folder',
      enabled: false,
      polling_interval: 300,
      folder: { path: remote },
      database_path: dbB,
      device_name: 'recepcion',
    } as Parameters<SyncService['saveConfig']>[0]);
    await b.syncNow();
    for (const rows of batches) {
      addRows(dbB, rows);
      await b.syncNow();
    }
  } finally {
    await b.close();
  }
  return dbB;
}

async function assertNothingRan(page: Page, where: string) {
  const seen = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    csp: (window as unknown as { __csp: string[] }).__csp,
    imgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
    svgs: document.querySelectorAll('svg[onload]').length,
    inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
    handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
  }));
  assert.deepEqual(seen, { pwned: undefined, csp: [], imgs: 0, svgs: 0, inlineScripts: 0, handlers: 0 }, where);
}

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

  const openPage = () => openWatchedPage(browser, env);

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
    await otherComputerSyncs(remoteDir);
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

/** Every file under `dir` with its sha256 (links listed, never followed), for "nothing changed" checks. */
function treeDigest(dir: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
    const full = path.join(dir, rel);
    const st = lstatSync(full);
    out[rel] = st.isFile()
      ? createHash('sha256').update(readFileSync(full)).digest('hex')
      : st.isDirectory()
        ? 'dir'
        : 'other';
  }
  return out;
}

/** Polls until `done()` holds (no time is asserted: the cap only stops a broken run from hanging). */
async function until(done: () => boolean, what: string, capMs = 60000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > capMs) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sendBeacon real desde una página ajena', () => {
  let browser: Browser;
  let foreign: http.Server;
  let foreignPort = 0;
  before(async () => {
    // Another web server on this machine (any local program can run one): same host, another port.
    foreign = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>ajena</title><p>página ajena</p>');
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    foreignPort = (foreign.address() as { port: number }).port;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    foreign?.close();
  });

  test('cada ruta POST con Blob text/plain, form y JSON como texto: 403 en el servidor, nada cambia', async () => {
    const writes = Object.keys(ROUTES)
      .filter((k) => k.startsWith('POST '))
      .map((k) => k.slice(5));
    assert.ok(writes.length >= 8, writes.join(' '));
    // What the UI server answered, seen from inside the server process (Node's http diagnostics channel).
    const answers: { path: string; status: number; cookie: boolean; origin?: string }[] = [];
    const onFinish = (m: unknown) => {
      const { request, response } = m as { request: http.IncomingMessage; response: http.ServerResponse };
      if (request.socket.localPort !== env.ui.port || request.method !== 'POST') return;
      answers.push({
        path: request.url ?? '',
        status: response.statusCode,
        cookie: (request.headers.cookie ?? '').includes(`cordiax_ui_${env.ui.port}=`),
        origin: request.headers.origin,
      });
    };
    const events: string[] = [];
    const unsubscribe = env.svc.subscribe((e) => e.code && events.push(e.code));
    const configBefore = readFileSync(configFile);
    // ui-sessions.json: the UI's own bookkeeping of logins (a session's last use, saved now and then), not data.
    const homeBefore = treeDigest(env.home, ['logs', 'tmp', 'ui-sessions.json']);
    const remoteBefore = treeDigest(remoteDir);
    const ctx = await browser.newContext();
    diagnostics_channel.subscribe('http.server.response.finish', onFinish);
    try {
      const page = await ctx.newPage();
      // The victim is logged in: the session cookie is in this browser.
      await page.goto(env.ui.loginUrl());
      await page.locator('#state').waitFor();
      await page.goto(`http://127.0.0.1:${foreignPort}/`);
      const queued = await page.evaluate(
        ({ uiPort, paths }) => {
          const json = JSON.stringify({
            config: { protocol: 'folder', enabled: true, folder: { path: '/tmp/evil' } },
            run: true,
            keep: 'remote',
            generation: 1,
          });
          const bodies = [
            new Blob(['hola'], { type: 'text/plain' }),
            new Blob(['config%5Bprotocol%5D=folder&run=true&keep=remote&generation=1'], {
              type: 'application/x-www-form-urlencoded',
            }),
            new Blob([json], { type: 'text/plain;charset=UTF-8' }),
          ];
          return paths.flatMap((p) => bodies.map((b) => navigator.sendBeacon(`http://127.0.0.1:${uiPort}${p}`, b)));
        },
        { uiPort: env.ui.port, paths: writes },
      );
      assert.equal(queued.length, writes.length * 3);
      assert.ok(
        queued.every((q) => q === true),
        'the browser queued every beacon',
      );
      await until(() => answers.length >= writes.length * 3, `${writes.length * 3} beacons at the UI server`);
    } finally {
      diagnostics_channel.unsubscribe('http.server.response.finish', onFinish);
      unsubscribe();
      await ctx.close();
    }
    assert.equal(answers.length, writes.length * 3);
    for (const p of writes) assert.equal(answers.filter((a) => a.path === p).length, 3, p);
    for (const a of answers) {
      assert.equal(a.status, 403, `${a.path}: ${a.status}`);
      assert.equal(a.origin, `http://127.0.0.1:${foreignPort}`);
    }
    // The browser sends the session cookie along (same site: ports do not count), so the cookie alone is not
    // what stopped them: the Origin check and the CSRF header did.
    assert.ok(
      answers.every((a) => a.cookie),
      'the session cookie went with the beacons',
    );
    assert.deepEqual(readFileSync(configFile), configBefore, 'config bytes unchanged');
    assert.deepEqual(
      treeDigest(env.home, ['logs', 'tmp', 'ui-sessions.json']),
      homeBefore,
      'no state, database or backup changed',
    );
    assert.deepEqual(treeDigest(remoteDir), remoteBefore, 'nothing reached the remote');
    assert.deepEqual(
      events.filter((c) => /^(SYNC_|VERSION_RESTORED|CONFLICT|CONFIG_SAVED|SAMPLE)/.test(c)),
      [],
      'no sync, restore, resolution or save happened',
    );
  });
});

describe('XSS por nombres de archivo del manifiesto', () => {
  let browser: Browser;
  let envH: UiEnv;
  // The remote sits next to a victim file: whatever a hostile name reaches outside the remote would show there.
  const outer = tmpDir('cx-ui-att-names-');
  const hostile = path.join(outer, 'remote');
  const victim = path.join(outer, 'victim.db');
  // A real file with a hostile name: markup, a quote that closes an attribute, an RTL override that disguises the
  // extension ("…\u202Egpj.db" reads "bd.jpg…").
  const HEAD_NAME = `versions/000002-${IMG}"><svg onload="window.__pwned=3">-\u202Egpj.db`;
  // A folder (not a file) with another hostile name: restoring it fails and the error names it.
  const DIR_NAME = `versions/000001-"><svg onload="window.__pwned=4">\u202Eexe.txt-${'ñ'.repeat(90)}.db`;
  // A very long path (long folders, markup in one), for a real object.
  const LONG_NAME = `versions/${'a'.repeat(200)}${SCRIPT}/${'b'.repeat(200)}.db`;

  // startUiEnv points CORDIAX_HOME at the new home (the default database path follows it) until this suite ends.
  const savedHome = process.env.CORDIAX_HOME;
  before(async () => {
    browser = await launchChromium();
    envH = await startUiEnv();
  });
  after(async () => {
    await browser?.close();
    await envH?.close();
    process.env.CORDIAX_HOME = savedHome;
  });

  test('nombres con HTML, comillas, RTL, muy largos y ../: texto en la página, nada se ejecuta, nada fuera del remoto', async () => {
    // Another office computer makes two real versions.
    const dbB = await otherComputerSyncs(hostile, [['segunda']]);
    // The hostile remote: both real objects renamed (the head to HEAD_NAME, version 1, which a page-delta head may
    // need, to LONG_NAME), the history adding a folder (DIR_NAME) and two names that leave the remote (the
    // manifest's own validation must drop those).
    const manifestFile = path.join(hostile, 'cordiax-sync.json');
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      generation: number;
      file: string;
      versions: { generation: number; file: string }[];
    };
    assert.equal(m.generation, 2);
    assert.equal(m.versions.length, 1);
    assert.equal(m.versions[0]!.generation, 1);
    const oldHead = m.file;
    const oldFirst = m.versions[0]!.file;
    mkdirSync(path.dirname(path.join(hostile, LONG_NAME)), { recursive: true });
    renameSync(path.join(hostile, oldHead), path.join(hostile, HEAD_NAME));
    renameSync(path.join(hostile, oldFirst), path.join(hostile, LONG_NAME));
    mkdirSync(path.join(hostile, DIR_NAME));
    copyFileSync(path.join(hostile, HEAD_NAME), victim);
    const renamed = JSON.parse(
      readFileSync(manifestFile, 'utf8')
        .replaceAll(JSON.stringify(oldHead), JSON.stringify(HEAD_NAME))
        .replaceAll(JSON.stringify(oldFirst), JSON.stringify(LONG_NAME)),
    ) as typeof m;
    renamed.versions.push(
      { ...renamed.versions[0]!, generation: 0, file: DIR_NAME },
      { ...renamed.versions[0]!, generation: 1000, file: '../victim.db' },
      { ...renamed.versions[0]!, generation: 1001, file: `versions/../../victim.db${IMG}` },
    );
    const text = JSON.stringify(renamed, null, 2);
    writeFileSync(manifestFile, text);
    writeFileSync(path.join(hostile, 'commits', '000002.json'), text);
    const outside = () => treeDigest(outer, ['remote']);
    const outsideBefore = outside();

    const { cookie, csrf } = await login(envH);
    const saved = await raw(envH.ui.port, {
      method: 'POST',
      path: '/api/config',
      body: JSON.stringify({
        config: { protocol: 'folder', enabled: false, polling_interval: 300, folder: { path: hostile } },
      }),
      headers: { Cookie: cookie, 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf },
    });
    assert.equal(saved.status, 200, saved.body);
    const localDb = path.join(envH.home, 'cordiax.db');
    const { ctx, page } = await openWatchedPage(browser, envH);
    try {
      // 1. A sync pulls the head through its hostile names (real files inside the remote): that works.
      await page.click('#sync-now');
      await page.locator('#sync-now:not([disabled])').waitFor({ timeout: 30000 });
      assert.deepEqual(readRows(localDb), readRows(dbB), 'the head came through its hostile names');
      await assertNothingRan(page, 'after the sync');
      // 2. The history lists #2, #1 and #0; the two names that leave the remote were dropped.
      await page.locator('#versions li').nth(2).waitFor({ timeout: 20000 });
      const gens = await page.$$eval('#versions li', (lis) => lis.map((li) => li.getAttribute('data-generation')));
      assert.deepEqual(gens, ['2', '1', '0']);
      await assertNothingRan(page, 'with the history shown');
      // 3. Restoring #0 (a folder with a hostile name): refused, and the name is shown as text.
      const dbBefore = readFileSync(localDb);
      await page.click('#versions li[data-generation="0"] button');
      await page.click('#confirm-ok');
      const toast = page.locator('.toast.tone-bad').last();
      await toast.waitFor({ timeout: 30000 });
      await assertNothingRan(page, 'after restoring a hostile name');
      const shown = (await toast.textContent()) ?? '';
      assert.ok(shown.includes(DIR_NAME), `the refusal names the file as text: ${shown}`);
      assert.ok((await toast.innerHTML()).includes('"&gt;&lt;svg onload='), 'escaped in the markup');
      assert.deepEqual(readFileSync(localDb), dbBefore, 'the failed restore left the local database alone');
      // 4. A head that points outside the remote (at a real database with the right hash): the manifest is refused
      // as damaged, shown as text, and nothing is read from or written to the outside.
      const victimSha = createHash('sha256').update(readFileSync(victim)).digest('hex');
      const leaving = {
        ...JSON.parse(text),
        generation: 3,
        parent: { generation: 2, sha256: (JSON.parse(text) as { sha256: string }).sha256 },
        sha256: victimSha,
        size: statSync(victim).size,
        file: '../victim.db',
        device: `recepcion${IMG}`,
      };
      writeFileSync(manifestFile, JSON.stringify(leaving));
      writeFileSync(path.join(hostile, 'commits', '000003.json'), JSON.stringify(leaving));
      await page.click('#sync-now');
      await page.locator('#sync-now:not([disabled])').waitFor({ timeout: 30000 });
      await page.locator('#last-error').waitFor({ timeout: 30000 });
      const err = (await page.textContent('#last-error')) ?? '';
      assert.match(err, /manifiesto|manifest/i);
      await assertNothingRan(page, 'after a head outside the remote');
      assert.deepEqual(readFileSync(localDb), dbBefore, 'the local database was not replaced');
      assert.deepEqual(outside(), outsideBefore, 'nothing outside the remote was touched');
      await page.reload();
      await page.locator('#state').waitFor();
      await assertNothingRan(page, 'after a reload');
    } finally {
      await ctx.close();
    }
  });
});
