// A stable way back into the web UI (issue 15, point 7): sessions survive a restart of the service (kept by their
// hash in <home>/ui-sessions.json, 0600), an open tab reconnects and learns the new anti-forgery value, a tab whose
// session ended says how to get back in, and `cordiax-sync open` logs in without the token in any argv.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loginAddress } from '../src/cli/commands/open.js';
import { SyncService } from '../src/service.js';
import { Sessions, type StoredSession } from '../src/ui/security.js';
import { sessionFile } from '../src/ui/session-file.js';
import { startUiServer } from '../src/ui/server.js';
import { tmpDir } from './helpers/system.js';
import { buildUi, launchChromium, raw } from './ui-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'cordiax-sync.js');

/** A service and its UI on a fixed port over `home` (what a restart of `cordiax-sync start` gives). */
async function startOn(home: string, port: number) {
  const svc = await SyncService.open({ home, embeddedServer: false });
  const ui = await startUiServer(svc, { port });
  return {
    svc,
    ui,
    async close() {
      await ui.close();
      await svc.close();
    },
  };
}

async function loginWith(port: number, loginUrl: string) {
  const r = await raw(port, { path: `/${new URL(loginUrl).search}` });
  assert.equal(r.status, 303);
  const cookie = String(r.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const page = await raw(port, { headers: { Cookie: cookie } });
  const csrf = /name="cordiax-csrf" content="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie, csrf };
}

const postJson = (port: number, p: string, body: unknown, headers: Record<string, string>) =>
  raw(port, {
    method: 'POST',
    path: p,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${port}`, ...headers },
  });

describe('sesiones que sobreviven a un reinicio', () => {
  test('el almacén guarda solo el hash de la cookie; caducadas y rotadas no vuelven', () => {
    let saved: StoredSession[] = [];
    const store = { load: () => saved, save: (s: StoredSession[]) => (saved = structuredClone(s)) };
    let now = 5_000_000;
    const first = new Sessions(() => now, store);
    const a = first.open();
    const b = first.open();
    assert.equal(saved.length, 2);
    assert.ok(!JSON.stringify(saved).includes(a) && !JSON.stringify(saved).includes(b), 'a cookie value was stored');
    // "Restart": a new Sessions over the same store knows both.
    const second = new Sessions(() => now, store);
    assert.equal(second.check(a), 'ok');
    assert.equal(second.check(b), 'ok');
    assert.equal(second.check(`${a}x`), null);
    // A rotated session ends after its grace, across a restart too.
    const c = second.rotate(a);
    now += 3 * 60 * 1000;
    const third = new Sessions(() => now, store);
    assert.equal(third.check(a), null, 'the rotated-out cookie came back after a restart');
    assert.equal(third.check(c), 'ok');
    // Idle for more than 12 h: gone after a restart.
    now += 13 * 60 * 60 * 1000;
    assert.equal(new Sessions(() => now, store).check(c), null);
  });

  test('ui-sessions.json: 0600, un archivo dañado cuesta una entrada, un enlace plantado no se sigue', () => {
    const dir = tmpDir('cx-ui-sessfile-');
    const file = path.join(dir, 'ui-sessions.json');
    const store = sessionFile(file);
    const one: StoredSession = { hash: 'a'.repeat(64), created: 1, used: 2, endsAt: null };
    store.save([one, { ...one, hash: 'not-a-hash' }]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(store.load(), [one]);
    writeFileSync(file, '{"sessions": [tr');
    assert.deepEqual(store.load(), []);
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'do not touch');
    rmSync(file);
    symlinkSync(victim, file);
    assert.deepEqual(store.load(), []);
    store.save([one]);
    assert.equal(readFileSync(victim, 'utf8'), 'do not touch');
  });

  test('HTTP real: tras reiniciar en el mismo puerto, la cookie sigue valiendo; el CSRF nuevo llega por el hello', async () => {
    const home = tmpDir('cx-ui-restart-');
    let run = await startOn(home, 0);
    const port = run.ui.port;
    const { cookie, csrf } = await loginWith(port, run.ui.loginUrl());
    const file = path.join(home, 'ui-sessions.json');
    try {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(!readFileSync(file, 'utf8').includes(cookie.split('=')[1]!), 'the cookie value is on disk');
      await run.close();
      run = await startOn(home, port);
      assert.equal((await raw(port, { path: '/api/status', headers: { Cookie: cookie } })).status, 200);
      // The old page's anti-forgery value belongs to the old start: refused, config untouched.
      const cfg = path.join(home, 'sync_config.json');
      const before = existsSync(cfg) ? readFileSync(cfg) : null;
      const stale = await postJson(
        port,
        '/api/config',
        { config: { polling_interval: 300 } },
        { Cookie: cookie, 'X-Cordiax-CSRF': csrf },
      );
      assert.equal(stale.status, 403);
      assert.deepEqual(existsSync(cfg) ? readFileSync(cfg) : null, before);
      // The event stream's hello carries the new one (what the open tab reads).
      const hello = await raw(port, { path: '/api/events/stream', headers: { Cookie: cookie }, readMs: 300 });
      const fresh = /event: hello\ndata: (.*)\n/.exec(hello.body)?.[1];
      assert.ok(fresh, hello.body);
      const newCsrf = (JSON.parse(fresh) as { csrf: string }).csrf;
      assert.notEqual(newCsrf, csrf);
      const ok = await postJson(
        port,
        '/api/config',
        { config: { polling_interval: 300 } },
        { Cookie: cookie, 'X-Cordiax-CSRF': newCsrf },
      );
      assert.equal(ok.status, 200, ok.body);
      assert.equal((JSON.parse(readFileSync(cfg, 'utf8')) as { polling_interval: number }).polling_interval, 300);
      // A session value is still not a bearer token, before or after the restart.
      assert.equal(
        (await raw(port, { path: '/api/status', headers: { Authorization: `Bearer ${cookie.split('=')[1]}` } })).status,
        401,
      );
    } finally {
      await run.close();
    }
  });

  test('cordiax-sync open: código de un solo uso pedido con el token del archivo privado; sin token en argv', async () => {
    const home = tmpDir('cx-ui-open-cmd-');
    // Not running: a clear message, non-zero exit.
    const idle = spawnSync(process.execPath, [BIN, 'open', '--print'], {
      env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
      encoding: 'utf8',
    });
    assert.notEqual(idle.status, 0);
    assert.match(idle.stderr + idle.stdout, /no está en marcha/);
    const run = await startOn(home, 0);
    try {
      // A session cookie cannot mint codes (only the bearer token from ui-access.json can).
      const { cookie, csrf } = await loginWith(run.ui.port, run.ui.loginUrl());
      const byCookie = await postJson(run.ui.port, '/api/login-code', {}, { Cookie: cookie, 'X-Cordiax-CSRF': csrf });
      assert.equal(byCookie.status, 403);
      const address = await loginAddress(home);
      assert.ok(!address.includes(run.ui.token));
      const first = await raw(run.ui.port, { path: `/${new URL(address).search}` });
      assert.equal(first.status, 303);
      assert.match(String(first.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
      assert.equal((await raw(run.ui.port, { path: `/${new URL(address).search}` })).status, 401, 'code reused');
      // The real command with a recording xdg-open: only a file path in its arguments.
      const bin = tmpDir('cx-fake-xdg-');
      const record = path.join(bin, 'argv.txt');
      writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`, { mode: 0o755 });
      // Asynchronous: the UI answering it runs in this process.
      const r = await promisify(execFile)(process.execPath, [BIN, 'open'], {
        env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es', PATH: `${bin}:${process.env.PATH}` },
        encoding: 'utf8',
      });
      assert.ok(!r.stdout.includes('code=') && !r.stdout.includes(run.ui.token), r.stdout);
      for (let i = 0; i < 100 && !existsSync(record); i++) await new Promise((res) => setTimeout(res, 50));
      const argv = readFileSync(record, 'utf8').trim();
      assert.ok(!argv.includes(run.ui.token) && !/code=/.test(argv), argv);
      const launcherCode = /\?code=([\w-]+)/.exec(readFileSync(argv, 'utf8'))?.[1];
      assert.ok(launcherCode);
      assert.equal((await raw(run.ui.port, { path: `/?code=${launcherCode}` })).status, 303);
    } finally {
      await run.close();
    }
  });

  test('Chromium: una pestaña abierta ve el reinicio, se reconecta y sigue guardando; sin sesión, dice cómo volver', async () => {
    buildUi();
    const home = tmpDir('cx-ui-restart-tab-');
    let run = await startOn(home, 0);
    const port = run.ui.port;
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(run.ui.loginUrl());
      await page.waitForSelector('#save-config');
      await run.close();
      await page.waitForSelector('#link-down', { timeout: 20_000 });
      run = await startOn(home, port);
      await page.waitForSelector('#reconnected', { timeout: 20_000 });
      assert.equal(await page.locator('#link-down').count(), 0);
      // A write from the same tab, after the restart: the anti-forgery value it sends is the new one.
      await page.fill('#f-polling_interval', '420');
      await page.click('#save-config');
      const cfg = path.join(home, 'sync_config.json');
      for (let i = 0; i < 100; i++) {
        if (existsSync(cfg) && /"polling_interval": ?420/.test(readFileSync(cfg, 'utf8'))) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.match(readFileSync(cfg, 'utf8'), /"polling_interval": ?420/);
      // Sessions gone (the file removed while stopped): the tab says how to get back in, not "Reintentando…".
      await run.close();
      rmSync(path.join(home, 'ui-sessions.json'));
      run = await startOn(home, port);
      await page.waitForSelector('#session-ended', { timeout: 30_000 });
      assert.match((await page.textContent('#session-ended')) ?? '', /cordiax-sync open/);
      assert.equal(await page.locator('#link-down').count(), 0);
    } finally {
      await browser.close();
      await run.close();
    }
  });
});
