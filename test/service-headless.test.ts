/**
 * The headless service an office runs on the PC that is always on: `start --no-ui` keeps syncing at the interval
 * until stopped (it used to sync once and exit), and `service install|status|uninstall` manages its systemd user unit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { addRows, makeTestDb, readRows, tmpDir } from './helpers/system.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';

const ROOT = path.resolve('.');
const BIN = path.join(ROOT, 'bin', 'cordiax-sync.js');

function cli(env: NodeJS.ProcessEnv, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, CORDIAX_LANG: 'es', ...env },
    timeout: 60000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function remoteGeneration(remote: string): number {
  const f = path.join(remote, MANIFEST_FILE);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { generation: number }).generation : 0;
}

test('start --no-ui keeps running: a change made after the first sync reaches the remote at the next poll', async () => {
  const home = tmpDir();
  const remote = path.join(tmpDir(), 'remoto');
  const db = path.join(home, 'cordiax.db');
  makeTestDb(db, 5);
  for (const [k, v] of [
    ['protocol', 'folder'],
    ['folder.path', remote],
    ['enabled', 'true'],
    ['polling_interval', '60'],
  ])
    assert.equal(cli({ CORDIAX_HOME: home }, ['config', 'set', k, v]).code, 0);
  const child = spawn(process.execPath, [BIN, 'start', '--no-ui', '--json'], {
    env: { ...process.env, CORDIAX_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited: number | null | undefined;
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const syncEnds = () => out.split('\n').filter((l) => l.includes('"sync_end"')).length;
  const until = (pred: () => boolean, what: string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + ms;
      const timer = setInterval(() => {
        if (pred()) {
          clearInterval(timer);
          resolve();
        } else if (exited !== undefined || Date.now() > deadline) {
          clearInterval(timer);
          reject(new Error(`${what}; exit=${exited}; output:\n${out}`));
        }
      }, 200);
    });
  try {
    await until(() => syncEnds() >= 1, 'no first sync', 30000);
    assert.equal(remoteGeneration(remote), 1);
    addRows(db, ['cita de las 10:30', 'cita de las 11:00']);
    // The next poll is one interval (60 s) after the first sync; the process must still be there to run it.
    await until(() => syncEnds() >= 2 && remoteGeneration(remote) === 2, 'the change never reached the remote', 90000);
    assert.equal(exited, undefined, 'the service is still running');
    const pulled = path.join(tmpDir(), 'comprobar');
    const other = { CORDIAX_HOME: pulled };
    for (const [k, v] of [
      ['protocol', 'folder'],
      ['folder.path', remote],
    ])
      assert.equal(cli(other, ['config', 'set', k, v]).code, 0);
    assert.equal(cli(other, ['sync']).code, 0);
    assert.deepEqual(readRows(path.join(pulled, 'cordiax.db')), readRows(db));
    assert.ok(readRows(db).includes('cita de las 11:00'));
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exit, 0, 'SIGTERM stops it cleanly');
});

test('service install --no-enable writes a systemd user unit that runs start --no-ui, with no secret; uninstall removes it', () => {
  const home = tmpDir();
  const xdg = tmpDir();
  const env = { CORDIAX_HOME: home, XDG_CONFIG_HOME: xdg };
  assert.equal(cli(env, ['config', 'set', 'webdav.password', '-'], 'Clave-Del-Servicio-42\n').code, 0);
  const inst = cli(env, ['service', 'install', '--no-enable']);
  assert.equal(inst.code, 0, inst.err);
  const unit = path.join(xdg, 'systemd', 'user', 'cordiax-sync.service');
  const text = readFileSync(unit, 'utf8');
  assert.equal(statSync(unit).mode & 0o777, 0o644);
  const exec = text.match(/^ExecStart=(.*)$/m)?.[1];
  assert.equal(exec, `"${process.execPath}" "${BIN}" "start" "--no-ui"`);
  assert.match(text, new RegExp(`^Environment="CORDIAX_HOME=${home}"$`, 'm'));
  assert.match(text, /^RestartPreventExitStatus=2$/m, 'an invalid config is not restarted in a loop');
  assert.match(text, /^WantedBy=default\.target$/m);
  assert.doesNotMatch(text, /Clave-Del-Servicio-42|password|contraseña/i);
  const st = cli(env, ['service', 'status']);
  assert.match(st.out, /Instalado: .*cordiax-sync\.service/);
  assert.equal(cli(env, ['service', 'uninstall']).code, 0);
  assert.equal(existsSync(unit), false);
  const gone = cli(env, ['service', 'status']);
  assert.equal(gone.code, 3);
  assert.match(gone.out, /no está instalado/);
});
