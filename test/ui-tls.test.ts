// HTTPS for the web UI, for real: `cordiax-sync ui certificate` runs the real openssl (through a wrapper that records
// its arguments), the UI serves that certificate, and the checks are a real TLS handshake (fingerprint and name
// verified against the certificate), plain HTTP refused by the TLS port, the login code over HTTPS with a Secure
// cookie, real Chromium over https://, unsafe keys refused by name, and the key's bytes never in the log or the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { SyncService } from '../src/service.js';
import { ROUTES } from '../src/ui/api.js';
import { startUiServer, type UiServer } from '../src/ui/server.js';
import { loginAddress } from '../src/cli/commands/open.js';
import { buildUi, launchChromium } from './ui-support.js';
import { tmpDir, unavailable } from './helpers/system.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OPENSSL = spawnSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).stdout.trim();
const NAMES = ['cordiax-prueba.local', 'localhost', '127.0.0.1'];

/** A wrapper in front of the real openssl that writes down every argument it gets (the key must never be one). */
function opensslRecorder(): { dir: string; argvFile: string } {
  const dir = tmpDir('cx-tls-bin-');
  const argvFile = path.join(dir, 'argv.txt');
  writeFileSync(
    path.join(dir, 'openssl'),
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${argvFile}'; done\nexec '${OPENSSL}' "$@"\n`,
    { mode: 0o755 },
  );
  return { dir, argvFile };
}

/** The real command line from the sources (no build needed). */
function cli(home: string, args: string[], pathPrefix = '', pathOnly = false) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/cli-src.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CORDIAX_HOME: home,
      CORDIAX_LANG: 'es',
      PATH: pathOnly ? pathPrefix : pathPrefix ? `${pathPrefix}:${process.env.PATH}` : process.env.PATH,
    },
    timeout: 120000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The base64 lines of a PEM key: what a leak of the key would contain. */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request over HTTPS that trusts only `ca` (the certificate is verified, names included). */
function httpsRaw(
  port: number,
  ca: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        ca,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { Host: `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function setUi(home: string, ui: Record<string, unknown>): void {
  const file = path.join(home, 'sync_config.json');
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as { ui?: Record<string, unknown> };
  cfg.ui = { ...cfg.ui, ...ui };
  writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
}

const opensslMissing = !OPENSSL || spawnSync(OPENSSL, ['version']).status !== 0;

describe('HTTPS de la interfaz web', () => {
  const home = tmpDir('cx-ui-tls-');
  let certPem = '';
  let keyPem = '';
  let fingerprint = '';
  let svc: SyncService | undefined;
  let ui: UiServer | undefined;
  const events: { code?: string; message: string }[] = [];

  before(() => {
    buildUi();
  });
  after(async () => {
    await ui?.close();
    await svc?.close();
  });

  test('cordiax-sync ui certificate: certificado y clave 0600, configuración rellenada, la clave nunca en argv', (t) => {
    if (opensslMissing) return unavailable(t, 'openssl is not installed (Debian package openssl)');
    const rec = opensslRecorder();
    const r = cli(home, ['ui', 'certificate', '--json', '--name', ...NAMES], rec.dir);
    assert.equal(r.code, 0, r.err + r.out);
    const out = JSON.parse(r.out) as {
      ok: boolean;
      cert_file: string;
      key_file: string;
      fingerprint_sha256: string;
      names: string[];
    };
    assert.equal(out.ok, true);
    assert.deepEqual(out.names, NAMES);
    assert.equal(out.cert_file, path.join(home, 'tls', 'ui-cert.pem'));
    assert.equal(out.key_file, path.join(home, 'tls', 'ui-key.pem'));
    certPem = readFileSync(out.cert_file, 'utf8');
    keyPem = readFileSync(out.key_file, 'utf8');
    const x509 = new X509Certificate(certPem);
    fingerprint = x509.fingerprint256;
    assert.equal(out.fingerprint_sha256, fingerprint, 'the printed fingerprint is the certificate one');
    assert.match(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(x509.subjectAltName, 'DNS:cordiax-prueba.local, DNS:localhost, IP Address:127.0.0.1');
    assert.equal(statSync(out.key_file).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(home, 'tls')).mode & 0o777, 0o700);
    const cfg = JSON.parse(readFileSync(path.join(home, 'sync_config.json'), 'utf8')) as { ui: Record<string, string> };
    assert.equal(cfg.ui.tls_cert_file, out.cert_file);
    assert.equal(cfg.ui.tls_key_file, out.key_file);
    // openssl really ran, and got the key's path, never the key.
    const argv = readFileSync(rec.argvFile, 'utf8');
    assert.ok(argv.includes(`-key\n${path.join(home, 'tls', '.ui-key.pem.')}`), argv);
    for (const line of keyLines(keyPem)) {
      assert.ok(!argv.includes(line), 'key bytes in openssl argv');
      assert.ok(!r.out.includes(line) && !r.err.includes(line), 'key bytes in the output');
    }
    assert.deepEqual(readdirSync(path.join(home, 'tls')).sort(), ['ui-cert.pem', 'ui-key.pem'], 'no temp left');

    // Again without --force: refused, the certificate the browsers trust is kept byte for byte.
    const again = cli(home, ['ui', 'certificate', '--name', 'otro.local']);
    assert.equal(again.code, 1);
    assert.match(again.err, /--force/);
    assert.ok(again.err.includes(fingerprint), 'names the fingerprint of the certificate it keeps');
    assert.equal(readFileSync(out.cert_file, 'utf8'), certPem);
    // A name that would smuggle another entry into the certificate is refused before anything is made.
    const bad = cli(home, ['ui', 'certificate', '--force', '--name', 'a.local,IP:10.0.0.1']);
    assert.equal(bad.code, 2, bad.err);
    assert.equal(readFileSync(out.cert_file, 'utf8'), certPem);
  });

  test('sin openssl: lo dice claramente y no deja nada a medias', () => {
    const bare = tmpDir('cx-ui-tls-noossl-');
    const emptyBin = tmpDir('cx-tls-nobin-');
    const r = cli(bare, ['ui', 'certificate', '--name', 'localhost'], emptyBin, true);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /Falta el programa openssl/);
    assert.match(r.err, /apt-get install openssl/);
    assert.ok(!existsSync(path.join(bare, 'tls')), 'nothing made before openssl is known to be there');
    assert.deepEqual(
      readdirSync(bare).filter((f) => f.startsWith('sync_config')),
      [],
      'the config is not touched',
    );
  });

  test('sirve HTTPS: huella y nombre verificados en el saludo TLS, HTTP en claro no obtiene respuesta', async (t) => {
    if (opensslMissing || !certPem) return unavailable(t, 'no certificate (openssl missing)');
    setUi(home, { port: 0 });
    svc = await SyncService.open({ home, embeddedServer: false });
    svc.subscribe((e) => events.push({ code: e.code, message: e.message }));
    ui = await startUiServer(svc);
    assert.match(ui.url, /^https:\/\/127\.0\.0\.1:\d+\/\?code=[\w-]{40,}$/);
    assert.equal(ui.fingerprint, fingerprint);
    const told = events.filter((e) => e.code === 'UI_TLS');
    assert.equal(told.length, 1);
    assert.ok(told[0]!.message.includes(`https://127.0.0.1:${ui.port}`), told[0]!.message);
    assert.ok(told[0]!.message.includes(fingerprint), 'the log shows the fingerprint to compare');
    assert.equal(events.filter((e) => e.code === 'UI_REMOTE').length, 0);

    // The handshake, trusting only our certificate: verified (chain and the IP name), and it is the printed one.
    const port = ui.port;
    const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca: certPem }, () => {
        assert.equal(s.authorized, true, String(s.authorizationError));
        const c = s.getPeerCertificate();
        s.end();
        resolve(c);
      });
      s.on('error', reject);
    });
    assert.equal(peer.fingerprint256, fingerprint);
    // Trusting the certificate, the name "localhost" verifies too; a name it was not made for does not.
    const ok = await new Promise<boolean>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', servername: 'localhost', port, ca: certPem }, () => {
        s.end();
        resolve(s.authorized);
      });
      s.on('error', () => resolve(false));
    });
    assert.equal(ok, true);
    const wrongName = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', servername: 'evil.test', port, ca: certPem }, () => {
        s.end();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    assert.equal(wrongName, 'ERR_TLS_CERT_ALTNAME_INVALID');

    // Plain HTTP to the TLS port: no HTTP answer at all (the handshake fails and the socket closes).
    const plain = await new Promise<{ status?: number; error?: string }>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/api/status', timeout: 10000 }, (res) => {
        res.resume();
        resolve({ status: res.statusCode });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    assert.equal(plain.status, undefined, `plain HTTP got an answer: ${JSON.stringify(plain)}`);
    assert.ok(plain.error, 'plain HTTP failed');
  });

  test('el código de un solo uso por HTTPS: cookie Secure; el Origin http:// del mismo puerto se rechaza', async (t) => {
    if (!ui) return unavailable(t, 'no HTTPS server (openssl missing)');
    const port = ui.port;
    const code = new URL(ui.loginUrl()).search;
    const first = await httpsRaw(port, certPem, { path: `/${code}` });
    assert.equal(first.status, 303);
    const setCookie = String(first.headers['set-cookie']?.[0] ?? '');
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Secure(;|$)/);
    const cookie = setCookie.split(';')[0]!;
    const page = await httpsRaw(port, certPem, { headers: { Cookie: cookie } });
    assert.equal(page.status, 200);
    const csrf = /name="cordiax-csrf" content="([^"]+)"/.exec(page.body)?.[1] ?? '';
    assert.ok(csrf);
    const post = (origin: string) =>
      httpsRaw(port, certPem, {
        method: 'POST',
        path: '/api/auto',
        body: JSON.stringify({ run: false }),
        headers: { Cookie: cookie, 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf, Origin: origin },
      });
    assert.equal((await post(`https://127.0.0.1:${port}`)).status, 200);
    // The same host and port over http:// is another origin (a page served in clear could not be trusted).
    assert.equal((await post(`http://127.0.0.1:${port}`)).status, 403);
    // The code is spent.
    assert.equal((await httpsRaw(port, certPem, { path: `/${code}` })).status, 401);
  });

  test('cordiax-sync open por HTTPS: confía solo en el certificado de la interfaz (ui-access.json lo lleva)', async (t) => {
    if (!ui) return unavailable(t, 'no HTTPS server (openssl missing)');
    const access = JSON.parse(readFileSync(ui.accessFile, 'utf8')) as { url: string; ca?: string };
    assert.match(access.url, /^https:/);
    assert.equal(access.ca, certPem);
    const address = await loginAddress(home);
    assert.match(address, /^https:\/\/[^/]+\/\?code=/);
    assert.equal((await httpsRaw(ui.port, certPem, { path: `/${new URL(address).search}` })).status, 303);
    // Another certificate in the access file: refused by the TLS check, the token never sent.
    const original = readFileSync(ui.accessFile, 'utf8');
    writeFileSync(ui.accessFile, original.replace(JSON.stringify(certPem).slice(1, 40), 'MIIBogus'));
    try {
      await assert.rejects(loginAddress(home), /no contesta/);
    } finally {
      writeFileSync(ui.accessFile, original);
    }
  });

  test('Chromium real por https://: entra con el código, cookie Secure, la página escribe con su Origin https', async (t) => {
    if (!ui) return unavailable(t, 'no HTTPS server (openssl missing)');
    const browser = await launchChromium();
    try {
      // The user accepted the certificate after comparing the fingerprint: the context ignores the unknown issuer.
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await ctx.newPage();
      await page.goto(ui.loginUrl());
      assert.equal(page.url(), `https://127.0.0.1:${ui.port}/`);
      await page.locator('#state').waitFor();
      const r = await page.evaluate(async () => {
        const csrf = document.querySelector<HTMLMetaElement>('meta[name="cordiax-csrf"]')?.content ?? '';
        const s = await fetch('/api/status');
        const w = await fetch('/api/auto', {
          method: 'POST',
          body: JSON.stringify({ run: false }),
          headers: { 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf },
        });
        return [s.status, w.status, location.protocol];
      });
      assert.deepEqual(r, [200, 200, 'https:']);
      const cookies = await ctx.cookies();
      assert.equal(cookies.length, 1);
      assert.equal(cookies[0]!.secure, true);
      assert.equal(cookies[0]!.httpOnly, true);
    } finally {
      await browser.close();
    }
  });

  test('la clave privada nunca aparece en el registro ni en las respuestas de la API', async (t) => {
    if (!ui) return unavailable(t, 'no HTTPS server (openssl missing)');
    const auth = { Authorization: `Bearer ${ui.token}` };
    const answers: string[] = [];
    for (const key of Object.keys(ROUTES).filter((k) => k.startsWith('GET '))) {
      const a = await httpsRaw(ui.port, certPem, { path: key.slice(4), headers: auth });
      answers.push(`${key} ${a.status} ${a.body}`);
    }
    const state = answers.find((a) => a.startsWith('GET /api/state 200'));
    assert.ok(state?.includes('tls_key_file'), 'the config answer was read (it names the key file, not the key)');
    const logDir = path.join(home, 'logs');
    const logs = readdirSync(logDir).map((f) => readFileSync(path.join(logDir, f), 'utf8'));
    assert.ok(logs.join('').includes('UI_TLS'), 'the log was read');
    // The certificate goes in the access file (`ca`, for cordiax-sync open) and holds the public key, which the
    // private key's PEM also ends with: only the rest of the file is checked for key bytes.
    const { ca, ...rest } = JSON.parse(readFileSync(ui.accessFile, 'utf8')) as { ca?: string };
    assert.equal(ca, certPem);
    const access = JSON.stringify(rest);
    for (const line of keyLines(keyPem)) {
      for (const a of answers) assert.ok(!a.includes(line), `key bytes in ${a.slice(0, 40)}`);
      for (const l of logs) assert.ok(!l.includes(line), 'key bytes in the log');
      assert.ok(!access.includes(line), 'key bytes in ui-access.json');
    }
  });

  test('claves inseguras o incompletas: rechazadas nombrando el campo', async (t) => {
    if (!certPem) return unavailable(t, 'no certificate (openssl missing)');
    const keyFile = path.join(home, 'tls', 'ui-key.pem');
    const tryStart = async (expect: RegExp[]) => {
      const s = await SyncService.open({ home, embeddedServer: false });
      try {
        await assert.rejects(startUiServer(s, { port: 0 }), (e: Error & { code?: string }) => {
          assert.equal(e.code, 'CONFIG_INVALID');
          for (const re of expect) assert.match(e.message, re);
          for (const line of keyLines(keyPem)) assert.ok(!e.message.includes(line));
          return true;
        });
      } finally {
        await s.close();
      }
    };
    try {
      for (const mode of [0o644, 0o640, 0o604]) {
        chmodSync(keyFile, mode);
        await tryStart([/ui\.tls_key_file/, new RegExp(mode.toString(8)), /chmod 600/]);
      }
      chmodSync(keyFile, 0o600);
      if (process.getuid?.() === 0) {
        chownSync(keyFile, 65534, 65534);
        await tryStart([/ui\.tls_key_file/, /otro usuario/, /65534/]);
        chownSync(keyFile, 0, 0);
      } else t.diagnostic('not root: the other-owner case needs chown');
      // A key of another certificate.
      const other = path.join(home, 'tls', 'other-key.pem');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(other, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
      setUi(home, { tls_key_file: other });
      await tryStart([/ui\.tls_key_file/, /no corresponde/]);
      // Half a pair.
      setUi(home, { tls_key_file: '' });
      await tryStart([/ui\.tls_cert_file/, /falta ui\.tls_key_file/]);
      // A key file that is not a key.
      writeFileSync(other, 'no es una clave\n', { mode: 0o600 });
      setUi(home, { tls_key_file: other });
      await tryStart([/ui\.tls_key_file/, /PEM/]);
    } finally {
      chmodSync(keyFile, 0o600);
      setUi(home, { tls_key_file: keyFile });
    }
  });

  test('0.0.0.0 sin HTTPS ni allow_remote: rechazado diciendo cómo activar HTTPS; con HTTPS: arranca sin aviso de HTTP', async (t) => {
    if (!certPem) return unavailable(t, 'no certificate (openssl missing)');
    const plainHome = tmpDir('cx-ui-tls-plain-');
    writeFileSync(path.join(plainHome, 'sync_config.json'), JSON.stringify({ ui: { host: '0.0.0.0', port: 0 } }));
    const s1 = await SyncService.open({ home: plainHome, embeddedServer: false });
    try {
      await assert.rejects(startUiServer(s1), (e: Error) => {
        for (const re of [/0\.0\.0\.0/, /ui certificate/, /ui\.tls_cert_file/, /allow_remote/])
          assert.match(e.message, re);
        return true;
      });
    } finally {
      await s1.close();
    }
    setUi(home, { host: '0.0.0.0', port: 0 });
    const s2 = await SyncService.open({ home, embeddedServer: false });
    const seen: { code?: string; level: string; message: string }[] = [];
    s2.subscribe((e) => seen.push({ code: e.code, level: e.level, message: e.message }));
    const wide = await startUiServer(s2);
    try {
      const u = new URL(wide.url);
      assert.equal(u.protocol, 'https:');
      assert.notEqual(u.hostname, '0.0.0.0', 'the printed address is one people can reach');
      assert.equal(seen.filter((e) => e.code === 'UI_REMOTE').length, 0, 'no "unencrypted" warning');
      assert.ok(seen.some((e) => e.code === 'UI_TLS' && e.level === 'info' && e.message.includes(u.host)));
      // The certificate names cordiax-prueba.local, localhost and 127.0.0.1: a LAN address shown is not among them,
      // and the log says so (browsers would warn about the name on top of the unknown issuer).
      const nameWarnings = seen.filter((e) => e.code === 'UI_TLS' && e.level === 'warn');
      if (u.hostname === '127.0.0.1') assert.equal(nameWarnings.length, 0);
      else
        assert.ok(
          nameWarnings.some((e) => e.message.includes(`no incluye ${u.hostname}`)),
          JSON.stringify(seen),
        );
      const status = await httpsRaw(wide.port, certPem, {
        path: '/api/status',
        headers: { Authorization: `Bearer ${wide.token}` },
      });
      assert.equal(status.status, 200);
    } finally {
      await wide.close();
      await s2.close();
      setUi(home, { host: '127.0.0.1' });
    }
  });
});
