// A stored secret goes only to the server it was saved for, whatever the way in (issue 14's known limits):
// `config set webdav.url <another server>` leaves the stored password behind (and says so), and the UI cannot point
// Socket.IO's token_file at another file (with a server of its choosing, it would send that file's contents there).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { tmpDir } from './helpers/system.js';
import { buildUi, login, raw, startUiEnv, type UiEnv } from './ui-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'cordiax-sync.js');
const PASSWORD = 'Clave-guardada-ñ-42';

function cli(home: string, args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
    encoding: 'utf8',
  });
}

const readConfig = (home: string) =>
  JSON.parse(readFileSync(path.join(home, 'sync_config.json'), 'utf8')) as {
    webdav: { url: string; password?: string; remote_path: string };
  };

describe('config set: una dirección nueva deja atrás la contraseña guardada', () => {
  test('otro servidor: la contraseña se quita y se avisa; mismo servidor u otra ruta: se conserva', () => {
    const home = tmpDir('cx-secret-cli-');
    writeFileSync(
      path.join(home, 'sync_config.json'),
      JSON.stringify({
        protocol: 'webdav',
        webdav: { url: 'https://nube.oficina.es/dav/', username: 'ana', password: PASSWORD, remote_path: '/c/' },
      }),
      { mode: 0o600 },
    );
    // Same origin, another path; and a non-address key: kept.
    let r = cli(home, ['config', 'set', 'webdav.url', 'https://nube.oficina.es/remote.php/dav/files/ana/']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readConfig(home).webdav.password, PASSWORD);
    assert.doesNotMatch(r.stderr, /webdav\.password/);
    r = cli(home, ['config', 'set', 'webdav.remote_path', '/otra/']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readConfig(home).webdav.password, PASSWORD);
    // Another host (and plain HTTP): the password stays behind, and the message says how to type it again.
    r = cli(home, ['config', 'set', 'webdav.url', 'http://otro-servidor.example:8080/dav/', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const cfg = readConfig(home);
    assert.equal(cfg.webdav.url, 'http://otro-servidor.example:8080/dav/');
    assert.equal(cfg.webdav.password ?? '', '', 'the stored password is still there');
    assert.ok(!readFileSync(path.join(home, 'sync_config.json'), 'utf8').includes(PASSWORD));
    assert.match(r.stderr, /webdav\.password/);
    assert.match(r.stderr, /config set webdav\.password -/);
    assert.deepEqual((JSON.parse(r.stdout) as { forgotten: string[] }).forgotten, ['webdav.password']);
    assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD));
  });
});

describe('interfaz: socketio.token_file no se cambia desde el formulario', () => {
  let env: UiEnv;
  let cookie = '';
  let csrf = '';
  let trap: http.Server;
  let trapUrl = '';
  const hits: string[] = [];

  before(async () => {
    buildUi();
    trap = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.end();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
    env = await startUiEnv();
    ({ cookie, csrf } = await login(env));
  });
  after(async () => {
    await env?.close();
    trap?.close();
  });

  const post = (p: string, body: unknown) =>
    raw(env.ui.port, {
      method: 'POST',
      path: p,
      body: JSON.stringify(body),
      headers: {
        Cookie: cookie,
        'Content-Type': 'application/json',
        'X-Cordiax-CSRF': csrf,
        Origin: `http://127.0.0.1:${env.ui.port}`,
      },
    });

  test('una ruta nueva (con un servidor ajeno) se rechaza en Probar y Guardar, nombrando el campo; nada sale', async () => {
    const secretFile = path.join(env.home, 'otro-secreto.txt');
    writeFileSync(secretFile, 'contenido-que-no-debe-salir\n');
    const tokenFile = path.join(env.home, 'token.txt');
    writeFileSync(tokenFile, 'token-bueno\n', { mode: 0o600 });
    // Set by the config file (the legitimate way).
    writeFileSync(
      path.join(env.home, 'sync_config.json'),
      JSON.stringify({
        protocol: 'socketio',
        enabled: false,
        socketio: { server_url: 'http://127.0.0.1:9', token_file: tokenFile },
      }),
    );
    await env.svc.reloadConfig();
    const file = path.join(env.home, 'sync_config.json');
    const before = readFileSync(file, 'utf8');
    const hostile = { protocol: 'socketio', enabled: false, socketio: { server_url: trapUrl, token_file: secretFile } };
    type Err = { error: { code: string; problems: Array<{ key: string }> } };
    for (const [route, body] of [
      ['/api/test', { protocol: 'socketio', config: hostile }],
      ['/api/config', { config: hostile }],
    ] as const) {
      const r = await post(route, body);
      assert.equal(r.status, 400, `${route}: ${r.body}`);
      const err = (JSON.parse(r.body) as Err).error;
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.ok(
        err.problems.some((p) => p.key === 'socketio.token_file'),
        r.body,
      );
      assert.match(r.body, /config set socketio\.token_file/);
    }
    assert.equal(readFileSync(file, 'utf8'), before, 'the config file changed');
    assert.deepEqual(hits, [], 'the foreign server was contacted');
    // Clearing it from the form is a change too (it would fall back to no token silently): refused as well.
    const cleared = await post('/api/config', {
      config: { protocol: 'socketio', enabled: false, socketio: { server_url: 'http://127.0.0.1:9' } },
    });
    assert.equal(cleared.status, 400, cleared.body);
    // Control: the same path as stored saves normally.
    const same = await post('/api/config', {
      config: {
        protocol: 'socketio',
        enabled: false,
        socketio: { server_url: 'http://127.0.0.1:9', token_file: tokenFile },
      },
    });
    assert.equal(same.status, 200, same.body);
  });
});
