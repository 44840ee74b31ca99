import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
  cpSync,
  existsSync,
} from 'node:fs';
import path from 'node:path';
import { tmpDir, makeTestDb, readRows, addRows } from './helpers/system.js';

const ROOT = path.resolve('.');
const BIN = path.join(ROOT, 'bin', 'cordiax-sync.js');

function cli(home: string, args: string[], input?: string, bin = BIN) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
    timeout: 60000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) };
}

before(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    void b;
  }
});

test('check-config lists every problem with the key and the rule, and exits 2', () => {
  const home = tmpDir();
  writeFileSync(
    path.join(home, 'sync_config.json'),
    JSON.stringify({ enabled: true, protocol: 'webdav', polling_interval: 10, webdav: { url: 'ftp://x' } }),
  );
  const r = cli(home, ['check-config', '--json']);
  assert.equal(r.code, 2);
  const j = r.json();
  assert.equal(j.ok, false);
  const keys = j.problems.map((p: { key: string }) => p.key).sort();
  assert.deepEqual(keys, ['polling_interval', 'webdav.url']);
  assert.match(j.problems.find((p: { key: string }) => p.key === 'polling_interval').message, /al menos 60 segundos/);
  const human = cli(home, ['check-config']);
  assert.match(human.out, /polling_interval: debe ser al menos 60 segundos/);
  const en = cli(home, ['--lang', 'en', 'check-config']);
  assert.match(en.out, /polling_interval: must be at least 60 seconds/);
});

test('config set validates before writing; passwords never via argv, never echoed', () => {
  const home = tmpDir();
  assert.equal(cli(home, ['config', 'set', 'polling_interval', '120']).code, 0);
  const file = path.join(home, 'sync_config.json');
  const before = readFileSync(file, 'utf8');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const bad = cli(home, ['config', 'set', 'polling_interval', '30']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /polling_interval: debe ser al menos 60/);
  assert.equal(readFileSync(file, 'utf8'), before);

  const refused = cli(home, ['config', 'set', 'webdav.password', 'Clave-Secreta-99']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /no se acepta como argumento/);
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.equal(cli(home, ['config', 'set', 'webdav.password', '-'], 'Clave-Secreta-99\n').code, 0);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).webdav.password, 'Clave-Secreta-99');
  const got = cli(home, ['config', 'get', 'webdav.password', '--json']);
  assert.equal(got.json().value, '***');
  assert.equal(cli(home, ['config', 'get', 'polling_interval']).out.trim(), '120');
});

test('folder sync through the CLI: sync, status, log, test; no secret in any output or log', () => {
  const home = tmpDir();
  const remote = path.join(tmpDir(), 'remoto');
  makeTestDb(path.join(home, 'cordiax.db'), 30);
  for (const [k, v] of [
    ['protocol', 'folder'],
    ['folder.path', remote],
    ['device_name', 'oficina-1'],
  ])
    assert.equal(cli(home, ['config', 'set', k, v]).code, 0);
  assert.equal(cli(home, ['config', 'set', 'smb.password', '-'], 'Otra-Clave-Smb-77').code, 0);
  assert.equal(cli(home, ['check-config']).code, 0);

  const t = cli(home, ['test', '--json']);
  assert.equal(t.code, 0, t.out + t.err);
  assert.deepEqual(
    t.json().steps.map((s: { id: string }) => s.id),
    ['open', 'write', 'read', 'rename', 'delete', 'commit'],
  );

  const s1 = cli(home, ['sync', '--json']);
  assert.equal(s1.code, 0, s1.err);
  assert.equal(s1.json().action, 'push');
  const s2 = cli(home, ['sync', '--json']);
  assert.equal(s2.json().action, 'none');
  assert.equal(s2.json().bytesUp, 0);

  const st = cli(home, ['status', '--json']).json();
  assert.equal(st.state, 'idle');
  assert.equal(st.remoteGeneration, 1);
  assert.ok(st.secondsSinceLastGoodSync >= 0 && st.secondsSinceLastGoodSync < 60);
  assert.match(cli(home, ['status']).out, /Última sincronización correcta: 20\d\d-/);

  const log = cli(home, ['log', '--limit', '20']);
  assert.match(log.out, /Sincronización iniciada/);
  assert.match(log.out, /enviada la versión local/);
  const all = [
    t.out,
    s1.out,
    s2.out,
    log.out,
    readFileSync(path.join(home, 'logs', 'events.jsonl'), 'utf8'),
    JSON.stringify(st),
  ].join('\n');
  assert.ok(!all.includes('Otra-Clave-Smb-77'));

  // A second device pulls through the CLI.
  const home2 = tmpDir();
  for (const [k, v] of [
    ['protocol', 'folder'],
    ['folder.path', remote],
  ])
    cli(home2, ['config', 'set', k, v]);
  assert.equal(cli(home2, ['sync', '--json']).json().action, 'pull');
  assert.deepEqual(readRows(path.join(home2, 'cordiax.db')), readRows(path.join(home, 'cordiax.db')));

  // Conflict: exit 3 and a loud status; resolve through the CLI.
  addRows(path.join(home, 'cordiax.db'), ['uno']);
  addRows(path.join(home2, 'cordiax.db'), ['dos']);
  assert.equal(cli(home, ['sync']).code, 0);
  const c = cli(home2, ['sync', '--json']);
  assert.equal(c.code, 3);
  assert.equal(c.json().action, 'conflict');
  assert.match(cli(home2, ['status']).out, /CONFLICTO/);
  // Replacing the live database needs a confirmation: without a terminal to ask, --yes; without it nothing changes.
  const before = readRows(path.join(home2, 'cordiax.db'));
  const refused = cli(home2, ['resolve', '--keep', 'remote']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /confirmarla|--yes/);
  assert.deepEqual(readRows(path.join(home2, 'cordiax.db')), before);
  const shown = cli(home2, ['resolve', '--show']);
  assert.equal(shown.code, 0);
  assert.match(shown.out, /notas: este equipo \+1 ~0 -0 · servidor \+1 ~0 -0/);
  const done = cli(home2, ['resolve', '--keep', 'remote', '--yes']);
  assert.equal(done.code, 0);
  assert.match(done.out, /Copia de seguridad de la base de datos anterior: .*backups/);
  assert.ok(readRows(path.join(home2, 'cordiax.db')).includes('uno'));
  assert.ok(!readRows(path.join(home2, 'cordiax.db')).includes('dos'));
  // Undo (no sync since): the local rows are back, the conflict is pending again; then decide again.
  assert.equal(cli(home2, ['resolve', '--undo']).code, 0);
  assert.deepEqual(readRows(path.join(home2, 'cordiax.db')), before);
  assert.notEqual(cli(home2, ['status', '--json']).json().conflict, null);
  assert.equal(cli(home2, ['resolve', '--keep', 'remote', '--yes']).code, 0);
  assert.equal(cli(home2, ['status', '--json']).json().conflict, null);
});

test('a protocol whose dependency is missing shows as unavailable; the others keep working', () => {
  // A copy of the built program whose node_modules lacks socket.io-client (a real missing package, not a flag).
  const app = tmpDir('cx-app-');
  cpSync(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'bin'), path.join(app, 'bin'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  mkdirSync(path.join(app, 'node_modules'));
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === 'socket.io-client' || name === '.bin') continue;
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(app, 'node_modules', name));
  }
  const home = tmpDir();
  const bin = path.join(app, 'bin', 'cordiax-sync.js');
  const st = cli(home, ['status', '--json'], undefined, bin).json();
  const sio = st.availability.find((a: { protocol: string }) => a.protocol === 'socketio');
  assert.equal(sio.available, false);
  assert.match(sio.reason.es, /falta la dependencia "socket\.io-client"/);
  assert.equal(sio.installHint, 'npm install socket.io-client');
  assert.equal(st.availability.find((a: { protocol: string }) => a.protocol === 'folder').available, true);

  cli(home, ['config', 'set', 'protocol', 'socketio'], undefined, bin);
  const s = cli(home, ['sync', '--json'], undefined, bin);
  assert.equal(s.code, 1);
  assert.equal(s.json().error.code, 'UNAVAILABLE');
  assert.match(s.json().error.message, /no está disponible/);

  const remote = path.join(tmpDir(), 'r');
  makeTestDb(path.join(home, 'cordiax.db'), 3);
  cli(home, ['config', 'set', 'protocol', 'folder'], undefined, bin);
  cli(home, ['config', 'set', 'folder.path', remote], undefined, bin);
  assert.equal(cli(home, ['sync', '--json'], undefined, bin).json().action, 'push');
});

test('start runs the scheduler; status in another process shows it and its next run', async () => {
  const home = tmpDir();
  const remote = path.join(tmpDir(), 'remoto');
  makeTestDb(path.join(home, 'cordiax.db'), 5);
  for (const [k, v] of [
    ['protocol', 'folder'],
    ['folder.path', remote],
    ['enabled', 'true'],
    ['polling_interval', '60'],
  ])
    assert.equal(cli(home, ['config', 'set', k, v]).code, 0);
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, 'start', '--no-ui', '--json'], {
    env: { ...process.env, CORDIAX_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sync_end from start: ${out}`)), 30000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('"sync_end"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const st = cli(home, ['status', '--json']).json();
    assert.equal(st.schedulerRunning, true);
    const next = Date.parse(st.nextRun) - Date.now();
    assert.ok(next > 30000 && next <= 60000, `next run in ${next} ms`);
    assert.equal(st.remoteGeneration, 1);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(cli(home, ['status', '--json']).json().schedulerRunning, false);
});
