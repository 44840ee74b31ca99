/**
 * Process level: the real service (`cordiax-sync start` with the web UI, from dist/) against a WebDAV server whose
 * capability probe fails (test/helpers/failing-dav.ts). "Probar Conexión" pressed through the API, twice, must
 * answer a failed report that says why, and the process must still be running and answering afterwards: a failed
 * probe used to leave a rejecting promise nobody listened to, and Node ended the whole service on it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startFailingDav, type FailingDav } from './helpers/failing-dav.js';
import { tmpDir } from './helpers/system.js';

const ROOT = path.resolve('.');
const BIN = path.join(ROOT, 'bin', 'cordiax-sync.js');

function cli(home: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
    timeout: 60000,
  });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
}

let dav: FailingDav;
let child: ChildProcess | undefined;
let exited: { code: number | null; signal: string | null } | undefined;
let output = '';

before(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')))
    assert.equal(spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' }).status, 0);
  dav = await startFailingDav();
});

after(async () => {
  if (child && !exited) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await dav?.close();
});

test('"Probar Conexión" from the web UI against a server whose probe fails: a report that says why, and the service keeps running', async () => {
  const home = tmpDir('cx-probe-svc-');
  for (const [k, v] of [
    ['protocol', 'webdav'],
    ['webdav.url', dav.url],
    ['webdav.username', dav.user],
    ['webdav.remote_path', '/cordiax_sync/'],
    ['enabled', 'true'],
    ['polling_interval', '60'],
  ])
    cli(home, ['config', 'set', k, v]);
  cli(home, ['config', 'set', 'webdav.password', '-'], `${dav.password}\n`);

  // The CLI's own "test" reports the failure as a JSON report and its error exit code (1), not a crash.
  const t = spawnSync(process.execPath, [BIN, 'test', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
    timeout: 60000,
  });
  assert.equal(t.status, 1, t.stderr);
  assert.equal(JSON.parse(t.stdout).ok, false);
  assert.doesNotMatch(t.stderr, /Unhandled|triggerUncaughtException/);

  child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--json'], {
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', (code, signal) => (exited = { code, signal }));
  child.stderr!.on('data', (d) => (output += d));
  const ui = await new Promise<URL>((resolve, reject) => {
    child!.once('exit', () => reject(new Error(`start exited: ${output}`)));
    child!.stdout!.on('data', (d) => {
      output += d;
      const m = /(?:Interfaz|Interface): (http\S+)/.exec(output);
      if (m) resolve(new URL(m[1]!));
    });
  });
  // Scripts read the bearer token from the private access file (the printed address only has a one-time code).
  const token = (JSON.parse(readFileSync(path.join(home, 'ui-access.json'), 'utf8')) as { token: string }).token;
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(new URL(p, ui.origin), {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  for (let press = 1; press <= 2; press++) {
    const r = await api('POST', '/api/test', { protocol: 'webdav' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const report = r.json as {
      ok: boolean;
      steps: Array<{ id: string; ok: boolean; skipped?: boolean; text: { es: string } }>;
      error?: { code: string; message: string; message_en: string };
    };
    assert.equal(report.ok, false);
    assert.ok(report.error?.message && report.error.message_en, JSON.stringify(report.error));
    const byId = Object.fromEntries(report.steps.map((s) => [s.id, s]));
    for (const id of ['connect', 'auth', 'write', 'read', 'rename']) assert.equal(byId[id]?.ok, true, id);
    assert.equal(byId['if-match']?.ok, false, 'the probe step is the one that failed, and says so');
    assert.equal(byId.create?.skipped, true);
    // Still alive and answering, after the probe's failure has been fully handled.
    const st = await api('GET', '/api/status');
    assert.equal(st.status, 200);
    assert.equal(exited, undefined, `the service exited: ${output}`);
  }
  assert.ok(dav.dropped() >= 2, `probe requests dropped: ${dav.dropped()}`);
  assert.doesNotMatch(output, /Unhandled|unhandledRejection|triggerUncaughtException/);

  child.kill('SIGTERM');
  await new Promise((r) => (exited ? r(null) : child!.once('exit', r)));
  assert.deepEqual(exited, { code: 0, signal: null }, output);
});
