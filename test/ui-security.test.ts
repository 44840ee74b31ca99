// The web UI's security with real HTTP requests: loopback bind, token -> cookie, Host (DNS rebinding), Origin, CSRF,
// no CORS, CSP, secrets never in answers, path traversal, body limits; plus the API's validation and the sample
// database that never replaces a real one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildUi, launchChromium, login, raw, startUiEnv, type UiEnv } from './ui-support.js';
import { tmpDir } from './helpers/system.js';
import { asNobody, secondUserUnavailable } from './helpers/second-user.js';
import { SyncService } from '../src/service.js';
import { startUiServer } from '../src/ui/server.js';
import { ROTATE_MS, Sessions } from '../src/ui/security.js';

let env: UiEnv;
let cookie = '';
let csrf = '';
const PASSWORD = 'S3creto-muy-privado-ñ!';
const remoteDir = tmpDir('cx-ui-sec-remote-');

const json = (o: unknown) => JSON.stringify(o);
const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(env.ui.port, {
    method: 'POST',
    path: p,
    body: json(body),
    headers: {
      Cookie: cookie,
      'Content-Type': 'application/json',
      'X-Cordiax-CSRF': csrf,
      Origin: `http://127.0.0.1:${env.ui.port}`,
      ...headers,
    },
  });

before(async () => {
  buildUi();
  env = await startUiEnv();
  ({ cookie, csrf } = await login(env));
});
after(async () => {
  await env.close();
});

describe('acceso', () => {
  test('escucha solo en 127.0.0.1 por defecto', () => {
    assert.match(env.ui.url, /^http:\/\/127\.0\.0\.1:\d+\/\?code=[\w-]{40,}$/);
    assert.ok(!env.ui.url.includes(env.ui.token), 'the printed address never carries the bearer token');
  });

  test('no responde por una dirección que no sea de loopback', async (t) => {
    const other = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    // Not a missing server: a machine without a network card has no other address to try. Counted and listed.
    if (!other) return t.skip('no non-loopback IPv4 address on this machine');
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(env.ui.port, other);
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    assert.ok(refused, `reachable on ${other}`);
    // Positive control: a server bound to all addresses IS reachable on that address, so "refused" above means the bind.
    const probe = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => probe.listen(0, '0.0.0.0', r));
    try {
      const reached = await new Promise<boolean>((resolve) => {
        const s = net.connect((probe.address() as net.AddressInfo).port, other);
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      assert.ok(reached, `a 0.0.0.0 listener must be reachable on ${other}, or the check above proves nothing`);
    } finally {
      probe.close();
    }
  });

  test('sin código de acceso: todo rechazado (página, API, recursos, eventos)', async () => {
    for (const p of ['/', '/index.html', '/app.js', '/api/state', '/api/status', '/api/events', '/api/events/stream']) {
      const r = await raw(env.ui.port, { path: p, headers: { Accept: 'text/html' } });
      assert.equal(r.status, 401, p);
      assert.ok(!r.body.includes('cordiax-csrf'), p);
    }
    const page = await raw(env.ui.port, { headers: { Accept: 'text/html' } });
    assert.match(page.body, /Falta el código de acceso/);
    assert.equal(
      (
        await raw(env.ui.port, {
          method: 'POST',
          path: '/api/sync',
          body: '{}',
          headers: { 'Content-Type': 'application/json' },
        })
      ).status,
      401,
    );
    assert.equal(
      (await raw(env.ui.port, { path: '/api/state', headers: { Cookie: `${cookie.split('=')[0]}=otro` } })).status,
      401,
    );
  });

  test('el código de la URL se cambia por una cookie HttpOnly SameSite=Strict y una dirección limpia', async () => {
    assert.equal((await raw(env.ui.port, { path: '/?code=incorrecto' })).status, 401);
    const code = new URL(env.ui.loginUrl()).searchParams.get('code')!;
    const r = await raw(env.ui.port, { path: `/?code=${code}` });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    const c = String(r.headers['set-cookie']);
    assert.match(c, /HttpOnly/);
    assert.match(c, /SameSite=Strict/);
    assert.match(c, /Path=\//);
    const ok = await raw(env.ui.port, { headers: { Cookie: c.split(';')[0]! } });
    assert.equal(ok.status, 200);
    // The address from the history, replayed: the code worked once and is spent.
    const again = await raw(env.ui.port, { path: `/?code=${code}`, headers: { Accept: 'text/html' } });
    assert.equal(again.status, 401);
    assert.ok(!again.headers['set-cookie']);
    assert.match(again.body, /sirve una sola vez/);
    // Scripts may use the token as a bearer header instead.
    assert.equal(
      (await raw(env.ui.port, { path: '/api/status', headers: { Authorization: `Bearer ${env.ui.token}` } })).status,
      200,
    );
  });

  test('la cookie no es el token: ni la sesión vale como Bearer ni el token como cookie', async () => {
    const [name, session] = cookie.split('=') as [string, string];
    assert.notEqual(session, env.ui.token);
    assert.ok(session.length >= 40);
    // What another server on 127.0.0.1 would receive (browsers share cookies between ports), sent as a bearer.
    const asBearer = await raw(env.ui.port, { path: '/api/status', headers: { Authorization: `Bearer ${session}` } });
    assert.equal(asBearer.status, 401);
    const asBearerPost = await raw(env.ui.port, {
      method: 'POST',
      path: '/api/sync',
      body: '{}',
      headers: { Authorization: `Bearer ${session}`, 'Content-Type': 'application/json' },
    });
    assert.equal(asBearerPost.status, 401);
    // The bearer token set as the cookie.
    const asCookie = await raw(env.ui.port, { path: '/api/status', headers: { Cookie: `${name}=${env.ui.token}` } });
    assert.equal(asCookie.status, 401);
    // The token in the address (it would stay in the history): refused, and says why.
    const inUrl = await raw(env.ui.port, { path: `/?token=${env.ui.token}`, headers: { Accept: 'text/html' } });
    assert.equal(inUrl.status, 401);
    assert.ok(!inUrl.headers['set-cookie']);
    assert.match(inUrl.body, /Authorization: Bearer/);
    // Positive controls: the real session and the real bearer.
    assert.equal((await raw(env.ui.port, { path: '/api/status', headers: { Cookie: cookie } })).status, 200);
    assert.equal(
      (await raw(env.ui.port, { path: '/api/status', headers: { Authorization: `Bearer ${env.ui.token}` } })).status,
      200,
    );
  });

  test('cada entrada da otra sesión; otra interfaz (otro CORDIAX_HOME, otro puerto) no acepta la cookie', async () => {
    const second = await login(env);
    assert.notEqual(second.cookie, cookie);
    assert.equal((await raw(env.ui.port, { path: '/api/status', headers: { Cookie: second.cookie } })).status, 200);
    const other = await startUiEnv();
    try {
      const otherName = `cordiax_ui_${other.ui.port}`;
      const replay = `${otherName}=${cookie.split('=')[1]}`;
      assert.equal((await raw(other.ui.port, { path: '/api/status', headers: { Cookie: replay } })).status, 401);
    } finally {
      await other.close();
    }
  });

  test('cabecera Host ajena (DNS rebinding): rechazada aunque haya cookie', async () => {
    for (const host of [
      `evil.example:${env.ui.port}`,
      `cordiax.attacker.test:${env.ui.port}`,
      `127.0.0.1:${env.ui.port + 1}`,
      '127.0.0.1',
    ]) {
      const r = await raw(env.ui.port, { path: '/api/state', headers: { Cookie: cookie, Host: host } });
      assert.equal(r.status, 421, `Host: ${host}`);
    }
    assert.equal(
      (await raw(env.ui.port, { path: '/api/status', headers: { Cookie: cookie, Host: `localhost:${env.ui.port}` } }))
        .status,
      200,
    );
    // No Host header at all (HTTP/1.0 by hand).
    const noHost = await new Promise<string>((resolve, reject) => {
      let out = '';
      const s = net.connect(env.ui.port, '127.0.0.1', () =>
        s.end(`GET /api/status HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`),
      );
      s.on('data', (d) => (out += d.toString()));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    assert.match(noHost, /^HTTP\/1\.[01] 421 /);
  });

  test('Origin ajeno: rechazado (lectura y escritura); sin CORS', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      `http://localhost:${env.ui.port + 1}`,
      `https://127.0.0.1:${env.ui.port}`,
    ]) {
      assert.equal(
        (await raw(env.ui.port, { path: '/api/state', headers: { Cookie: cookie, Origin: origin } })).status,
        403,
        origin,
      );
      assert.equal((await post('/api/sync', {}, { Origin: origin })).status, 403, origin);
    }
    assert.equal(
      (await raw(env.ui.port, { path: '/api/status', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' } }))
        .status,
      403,
    );
    const pre = await raw(env.ui.port, {
      method: 'OPTIONS',
      path: '/api/config',
      headers: { Cookie: cookie, Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.notEqual(pre.status, 200);
    assert.notEqual(pre.status, 204);
    for (const r of [pre, await raw(env.ui.port, { path: '/api/state', headers: { Cookie: cookie } })]) {
      assert.equal(Object.keys(r.headers).filter((k) => k.startsWith('access-control-')).length, 0);
    }
  });

  test('escrituras: exigen la cabecera anti-CSRF y JSON', async () => {
    assert.equal((await post('/api/auto', { run: false }, { 'X-Cordiax-CSRF': '' })).status, 403);
    assert.equal((await post('/api/auto', { run: false }, { 'X-Cordiax-CSRF': 'inventado' })).status, 403);
    assert.equal((await post('/api/auto', { run: false })).status, 200);
    assert.equal((await post('/api/auto', { run: false }, { 'Content-Type': 'text/plain' })).status, 415);
    assert.equal((await post('/api/auto', { run: 'sí' })).status, 400);
    assert.equal(
      (
        await raw(env.ui.port, {
          method: 'POST',
          path: '/api/auto',
          body: 'x'.repeat(300 * 1024),
          headers: { Cookie: cookie, 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf },
        })
      ).status,
      413,
    );
    assert.equal(
      (
        await raw(env.ui.port, {
          method: 'DELETE',
          path: '/api/config',
          headers: { Cookie: cookie, 'X-Cordiax-CSRF': csrf },
        })
      ).status,
      405,
    );
  });

  test('CSP estricta y cabeceras de seguridad; la página no tiene scripts en línea', async () => {
    const r = await raw(env.ui.port, { headers: { Cookie: cookie } });
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|http:|https:|\*/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(r.body), 'inline script');
    assert.ok(!/\sstyle=|\son[a-z]+=/i.test(r.body), 'inline style or handler');
    assert.match(r.body, /name="cordiax-csrf" content="[\w-]{20,}"/);
  });

  test('no sirve nada fuera de su carpeta', async () => {
    for (const p of [
      '/../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/app.js%00.html',
      '/.app.js.tmp',
    ]) {
      const r = await raw(env.ui.port, { path: p, headers: { Cookie: cookie } });
      assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
      assert.ok(!r.body.includes('"name": "cordiax-sync"') && !r.body.includes('root:'), p);
    }
  });
});

describe('registro en directo (SSE)', () => {
  const ids = (body: string) => [...body.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]!);
  test('historial al conectar, eventos en directo y reconexión sin repetir', async () => {
    env.svc.log.emit({ type: 'info', code: 'UI_TEST_1', text: { es: 'primero', en: 'first' } });
    const first = await raw(env.ui.port, { path: '/api/events/stream', headers: { Cookie: cookie }, readMs: 300 });
    assert.match(String(first.headers['content-type']), /text\/event-stream/);
    const instance = JSON.parse(/event: hello\ndata: (.*)\n/.exec(first.body)![1]!).instance as string;
    assert.match(first.body, /UI_TEST_1/);
    const lastId = ids(first.body).at(-1)!;
    assert.ok(lastId.startsWith(`${instance}.`));
    setTimeout(
      () => env.svc.log.emit({ type: 'warning', code: 'UI_TEST_2', text: { es: 'segundo', en: 'second' } }),
      100,
    );
    const again = await raw(env.ui.port, {
      path: '/api/events/stream',
      headers: { Cookie: cookie, 'Last-Event-ID': lastId },
      readMs: 400,
    });
    assert.doesNotMatch(again.body, /UI_TEST_1/);
    assert.match(again.body, /UI_TEST_2/);
    const other = await raw(env.ui.port, {
      path: '/api/events/stream',
      headers: { Cookie: cookie, 'Last-Event-ID': 'otro.999999' },
      readMs: 300,
    });
    assert.match(other.body, /UI_TEST_1[\s\S]*UI_TEST_2/);
  });
});

describe('secretos y API', () => {
  test('la contraseña se guarda pero nunca vuelve en ninguna respuesta', async () => {
    const config = {
      protocol: 'folder',
      enabled: false,
      polling_interval: 300,
      folder: { path: remoteDir },
      webdav: {
        url: 'https://cloud.example.com/remote.php/dav',
        username: 'ana',
        password: PASSWORD,
        remote_path: '/cordiax_sync/',
      },
    };
    const saved = await post('/api/config', { config });
    assert.equal(saved.status, 200, saved.body);
    assert.ok(readFileSync(path.join(env.home, 'sync_config.json'), 'utf8').includes(PASSWORD), 'stored in the file');
    // Saving again with the password left empty keeps it.
    const again = await post('/api/config', { config: { ...config, webdav: { ...config.webdav, password: '' } } });
    assert.equal(again.status, 200);
    assert.ok(readFileSync(path.join(env.home, 'sync_config.json'), 'utf8').includes(PASSWORD), 'kept on empty');
    const test = await post('/api/test', {
      protocol: 'webdav',
      config: { ...config, webdav: { ...config.webdav, url: 'http://127.0.0.1:1/dav/', password: '' } },
    });
    assert.equal(test.status, 400, 'another server: the stored password is not merged in');
    const answers = [saved, again, test];
    for (const p of ['/api/state', '/api/status', '/api/events?limit=1000'])
      answers.push(await raw(env.ui.port, { path: p, headers: { Cookie: cookie } }));
    answers.push(await raw(env.ui.port, { path: '/api/events/stream', headers: { Cookie: cookie }, readMs: 400 }));
    for (const r of answers)
      assert.ok(
        !r.body.includes(PASSWORD) && !r.body.includes(encodeURIComponent(PASSWORD)),
        `password leaked: ${r.body.slice(0, 200)}`,
      );
    const state = JSON.parse(answers[3]!.body) as { config: { webdav: { password: string; password_set: boolean } } };
    assert.equal(state.config.webdav.password, '');
    assert.equal(state.config.webdav.password_set, true);
    // Erasing it is an explicit request.
    const cleared = await post('/api/config', {
      config: { ...config, webdav: { ...config.webdav, password: '' } },
      clear: ['webdav.password'],
    });
    assert.equal(
      (JSON.parse(cleared.body) as { config: { webdav: { password_set: boolean } } }).config.webdav.password_set,
      false,
    );
    assert.ok(!readFileSync(path.join(env.home, 'sync_config.json'), 'utf8').includes(PASSWORD));
  });

  test('una contraseña o token guardado solo va al servidor para el que se guardó', async () => {
    const saved = await startCapture();
    const attacker = await startCapture();
    const smbTrap = await startTcpCapture();
    const TOKEN = 'token-socketio-guardado-ñ';
    try {
      const config = {
        protocol: 'folder',
        enabled: false,
        polling_interval: 300,
        folder: { path: remoteDir },
        webdav: { url: `${saved.url}/dav/`, username: 'ana', password: PASSWORD, remote_path: '/cordiax_sync/' },
        smb: { server: '127.0.0.1', port: 1, share_name: 'datos', username: 'ana', password: PASSWORD },
        socketio: { server_url: saved.url, token: TOKEN },
      };
      assert.equal((await post('/api/config', { config })).status, 200);
      const file = path.join(env.home, 'sync_config.json');
      const before = readFileSync(file, 'utf8');
      const blank = {
        ...config,
        webdav: { ...config.webdav, password: '' },
        smb: { ...config.smb, password: '' },
        socketio: { server_url: saved.url, token: '' },
      };
      type Err = { error: { code: string; message: string; message_en: string; problems: Array<{ key: string }> } };
      // "Probar Conexión" with another URL (plain HTTP, the attacker's server) and the password field left empty.
      const webdav = await post('/api/test', {
        protocol: 'webdav',
        config: { ...blank, webdav: { ...blank.webdav, url: `${attacker.url}/dav/` } },
      });
      assert.equal(webdav.status, 400, webdav.body);
      const err = (JSON.parse(webdav.body) as Err).error;
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.deepEqual(
        err.problems.map((p) => p.key),
        ['webdav.password'],
      );
      assert.match(err.message, /webdav\.password/);
      assert.match(err.message, /otra vez/);
      assert.match(err.message_en, /Type webdav\.password again/);
      // Same for a Socket.IO token and an SMB server on another port, tested and saved.
      const sio = await post('/api/test', {
        protocol: 'socketio',
        config: { ...blank, socketio: { server_url: attacker.url, token: '' } },
      });
      assert.equal(sio.status, 400, sio.body);
      assert.deepEqual(
        (JSON.parse(sio.body) as Err).error.problems.map((p) => p.key),
        ['socketio.token'],
      );
      const smb = await post('/api/test', {
        protocol: 'smb',
        config: { ...blank, smb: { ...blank.smb, port: smbTrap.port } },
      });
      assert.equal(smb.status, 400, smb.body);
      assert.deepEqual(
        (JSON.parse(smb.body) as Err).error.problems.map((p) => p.key),
        ['smb.password'],
      );
      const save = await post('/api/config', {
        config: { ...blank, protocol: 'webdav', webdav: { ...blank.webdav, url: `${attacker.url}/dav/` } },
      });
      assert.equal(save.status, 400, save.body);
      assert.equal(readFileSync(file, 'utf8'), before, 'the config file did not change');
      assert.equal(attacker.requests.length, 0, `the other server was contacted: ${JSON.stringify(attacker.requests)}`);
      assert.equal(smbTrap.connections(), 0, 'the other SMB port was contacted');
      // Positive control: the same server (another path) gets the stored password, so the capture can see it.
      const same = await post('/api/test', {
        protocol: 'webdav',
        config: { ...blank, webdav: { ...blank.webdav, url: `${saved.url}/otra/ruta/` } },
      });
      assert.equal(same.status, 200, same.body);
      const auths = saved.requests.map((r) => r.authorization).filter(Boolean);
      assert.ok(
        auths.some((a) => Buffer.from(a!.slice(6), 'base64').toString('utf8') === `ana:${PASSWORD}`),
        `the stored server got: ${JSON.stringify(saved.requests)}`,
      );
      // Typing the password again for the new server is the way.
      const typed = await post('/api/test', {
        protocol: 'webdav',
        config: { ...blank, webdav: { ...blank.webdav, url: `${attacker.url}/dav/`, password: 'otra-clave' } },
      });
      assert.equal(typed.status, 200, typed.body);
      assert.ok(
        attacker.requests.some((r) => r.authorization === `Basic ${Buffer.from('ana:otra-clave').toString('base64')}`),
      );
      assert.ok(!JSON.stringify(attacker.requests).includes(Buffer.from(`ana:${PASSWORD}`).toString('base64')));
    } finally {
      await saved.close();
      await attacker.close();
      await smbTrap.close();
    }
  });

  test('intervalo no válido: 400 con el problema por campo y el archivo no cambia', async () => {
    const file = path.join(env.home, 'sync_config.json');
    const before = readFileSync(file);
    const r = await post('/api/config', {
      config: { protocol: 'folder', enabled: true, polling_interval: 30, folder: { path: remoteDir } },
    });
    assert.equal(r.status, 400);
    const err = (
      JSON.parse(r.body) as { error: { code: string; problems: Array<{ key: string; text: { es: string } }> } }
    ).error;
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.deepEqual(
      err.problems.map((p) => p.key),
      ['polling_interval'],
    );
    assert.match(err.problems[0]!.text.es, /al menos 60/);
    assert.deepEqual(readFileSync(file), before);
  });

  test('un archivo de configuración no válido no se sobrescribe; se puede apartar y empezar de nuevo', async () => {
    const home = tmpDir('cx-ui-sec-invalid-');
    const file = path.join(home, 'sync_config.json');
    writeFileSync(file, '{ "polling_interval": 5, "protocol": "webdav" }\n');
    const other = await startUiEnv({ home });
    try {
      const s = await login(other);
      const call = (p: string, body: unknown) =>
        raw(other.ui.port, {
          method: 'POST',
          path: p,
          body: json(body),
          headers: { Cookie: s.cookie, 'Content-Type': 'application/json', 'X-Cordiax-CSRF': s.csrf },
        });
      const state = JSON.parse(
        (await raw(other.ui.port, { path: '/api/state', headers: { Cookie: s.cookie } })).body,
      ) as { status: { configStatus: string; problems: Array<{ key: string }> } };
      assert.equal(state.status.configStatus, 'invalid');
      assert.deepEqual(
        state.status.problems.map((p) => p.key),
        ['polling_interval'],
      );
      const save = await call('/api/config', {
        config: { protocol: 'folder', polling_interval: 300, folder: { path: remoteDir } },
      });
      assert.equal(save.status, 400);
      assert.match(readFileSync(file, 'utf8'), /"polling_interval": 5/);
      const aside = await call('/api/config/set-aside', {});
      assert.equal(aside.status, 200, aside.body);
      const kept = JSON.parse(aside.body) as { invalidBackup: string; status: { configStatus: string } };
      assert.equal(kept.status.configStatus, 'missing');
      assert.match(readFileSync(kept.invalidBackup, 'utf8'), /"polling_interval": 5/);
      assert.equal(
        (
          await call('/api/config', {
            config: { protocol: 'folder', polling_interval: 300, folder: { path: remoteDir } },
          })
        ).status,
        200,
      );
    } finally {
      await other.close();
      process.env.CORDIAX_HOME = env.home;
    }
  });

  test('base de datos de ejemplo: se crea si falta y nunca sustituye una existente', async () => {
    const db = path.join(env.home, 'cordiax.db');
    assert.ok(!existsSync(db));
    const r = await post('/api/sample-db', {});
    assert.equal(r.status, 200, r.body);
    assert.ok(existsSync(db));
    writeFileSync(db, 'datos reales');
    const again = await post('/api/sample-db', {});
    assert.equal(again.status, 409);
    assert.equal(readFileSync(db, 'utf8'), 'datos reales');
  });
});

describe('sesión, arranque del navegador y ui.host', () => {
  test('la sesión rota con el tiempo: cookie nueva, la vieja vale un momento y luego no', () => {
    let now = 1_000_000;
    const s = new Sessions(() => now);
    const first = s.open();
    assert.equal(s.check(first), 'ok');
    now += ROTATE_MS + 1;
    assert.equal(s.check(first), 'rotate');
    const next = s.rotate(first);
    assert.notEqual(next, first);
    assert.equal(s.check(next), 'ok');
    assert.equal(s.check(first), 'ok', 'requests already on their way still pass');
    now += 3 * 60 * 1000;
    assert.equal(s.check(first), null, 'after the grace the old cookie is dead');
    assert.equal(s.check(next), 'ok');
    const code = s.newCode();
    assert.equal(s.redeem(code), true);
    assert.equal(s.redeem(code), false);
  });

  test('start --open: ni el token ni el código en los argumentos del lanzador; el código sirve una vez', async (t) => {
    const bin = tmpDir('cx-fake-xdg-');
    const record = path.join(bin, 'argv.txt');
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > '${record}'\n`, { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    const home = tmpDir('cx-ui-open-');
    const svc = await SyncService.open({ home, embeddedServer: false });
    let ui: Awaited<ReturnType<typeof startUiServer>> | null = null;
    try {
      ui = await startUiServer(svc, { port: 0, open: true });
    } finally {
      process.env.PATH = savedPath;
    }
    const browser = await launchChromium();
    try {
      for (let i = 0; i < 100 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
      const argv = readFileSync(record, 'utf8');
      assert.ok(!argv.includes(ui.token), 'the bearer token is in the launcher arguments');
      assert.ok(!/code=|token=/.test(argv), `a secret is in the launcher arguments: ${argv}`);
      const launcher = argv.trim().split('\n')[1]!;
      assert.equal(launcher, ui.launcherFile);
      assert.equal(statSync(launcher).mode & 0o777, 0o600);
      assert.equal(statSync(ui.accessFile).mode & 0o777, 0o600);
      const code = /\?code=([\w-]+)/.exec(readFileSync(launcher, 'utf8'))?.[1];
      assert.ok(code);
      if (!secondUserUnavailable()) {
        for (const f of [launcher, ui.accessFile])
          assert.throws(() => asNobody(['cat', f]), /Permission denied/, `another user reads ${f}`);
      } else t.diagnostic(`second user: ${secondUserUnavailable()}`);
      // The normal path: the browser opens the launcher page and lands in the interface, logged in.
      const page = await (await browser.newContext()).newPage();
      await page.goto(`file://${launcher}`);
      await page.waitForURL(`http://127.0.0.1:${ui.port}/`);
      await page.waitForSelector('meta[name="cordiax-csrf"]', { state: 'attached' });
      const status = await page.evaluate(async () => (await fetch('/api/status')).status);
      assert.equal(status, 200);
      const cookies = await page.context().cookies();
      assert.equal(cookies.length, 1);
      assert.notEqual(cookies[0]!.value, ui.token);
      // The same code again (the launcher file, the history): spent.
      const again = await raw(ui.port, { path: `/?code=${code}` });
      assert.equal(again.status, 401);
      assert.ok(!again.headers['set-cookie']);
    } finally {
      await browser.close();
      await ui.close();
      await svc.close();
    }
  });

  test('ui.host fuera de loopback: rechazado sin ui.allow_remote; con él, aviso y la dirección real', async () => {
    const home = tmpDir('cx-ui-remote-');
    writeFileSync(path.join(home, 'sync_config.json'), JSON.stringify({ ui: { host: '0.0.0.0', port: 0 } }));
    const svc = await SyncService.open({ home, embeddedServer: false });
    try {
      await assert.rejects(
        startUiServer(svc),
        (e: Error) => /allow_remote/.test(e.message) && /0\.0\.0\.0/.test(e.message),
      );
    } finally {
      await svc.close();
    }
    writeFileSync(
      path.join(home, 'sync_config.json'),
      JSON.stringify({ ui: { host: '0.0.0.0', port: 0, allow_remote: true } }),
    );
    const svc2 = await SyncService.open({ home, embeddedServer: false });
    const warnings: string[] = [];
    svc2.subscribe((e) => e.code === 'UI_REMOTE' && warnings.push(e.message));
    const ui = await startUiServer(svc2);
    try {
      const lan = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
      assert.equal(new URL(ui.url).hostname, lan ?? '127.0.0.1');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /ATENCIÓN/);
    } finally {
      await ui.close();
      await svc2.close();
    }
  });
});

/** An HTTP server that records each request's method, path and Authorization header, and asks for Basic auth. */
async function startCapture(): Promise<{
  url: string;
  requests: Array<{ method: string; path: string; authorization?: string }>;
  close(): Promise<void>;
}> {
  const requests: Array<{ method: string; path: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="trap"', 'Content-Length': 0 }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A TCP port that counts connections (where an SMB client would send its login). */
async function startTcpCapture(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('cordiax-sync start (el programa compilado)', () => {
  test('start --open: argumentos del lanzador sin secretos; la dirección impresa sirve una vez y se imprime otra', async () => {
    const bin = path.resolve('bin', 'cordiax-sync.js');
    const fake = tmpDir('cx-fake-xdg-cli-');
    const record = path.join(fake, 'argv.txt');
    writeFileSync(path.join(fake, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > '${record}'\n`, { mode: 0o755 });
    const home = tmpDir('cx-ui-cli-');
    const child = spawn(process.execPath, [bin, 'start', '--open', '--port', '0'], {
      env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es', PATH: `${fake}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const addresses = async (n: number) => {
      for (let i = 0; i < 400; i++) {
        const found = [...out.matchAll(/(?:Interfaz|Interface): (http\S+)/g)].map((m) => m[1]!);
        if (found.length >= n) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no address printed: ${out}`);
    };
    try {
      const [first] = await addresses(1);
      const url = new URL(first!);
      for (let i = 0; i < 100 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
      const argv = readFileSync(record, 'utf8');
      const { token } = JSON.parse(readFileSync(path.join(home, 'ui-access.json'), 'utf8')) as { token: string };
      assert.ok(!argv.includes(token) && !/code=|token=/.test(argv), `secret in the launcher arguments: ${argv}`);
      assert.ok(!first!.includes(token));
      const port = Number(url.port);
      assert.equal((await raw(port, { path: `/${url.search}` })).status, 303);
      assert.equal((await raw(port, { path: `/${url.search}` })).status, 401, 'the printed code works once');
      const [, second] = await addresses(2);
      assert.notEqual(second, first);
      assert.equal(
        (await raw(port, { path: `/${new URL(second!).search}` })).status,
        303,
        'the next printed one works',
      );
      assert.equal(
        (await raw(port, { path: '/api/status', headers: { Authorization: `Bearer ${token}` } })).status,
        200,
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    assert.ok(!existsSync(path.join(home, 'ui-access.json')), 'the access file is removed on exit');
  });
});
