#!/usr/bin/env node
// The test command: installs the Debian packages the tests need (when root and missing), type-checks and builds,
// then runs every test file with Node's test runner. Files named *.serial.test.ts bind fixed ports (Samba's 139/445,
// the AD DC's 53/88/...) and run one at a time after the others. Prints one closing line "N passed, N failed".
import { spawnSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Debian packages the real-server tests use (see README "Tests").
export const DEBIAN_PACKAGES = [
  'sqlite3', 'curl', 'openssl', 'procps', 'iproute2', 'util-linux', 'time',
  'apache2', 'apache2-utils', 'rclone', 'litmus',
  'samba', 'smbclient', 'winbind', 'samba-dsdb-modules', 'samba-vfs-modules', 'samba-ad-provision',
  'age', 'faketime',
  'python3', 'python3-flask-socketio', 'python3-socketio', 'python3-requests', 'redis-server',
  'chromium', 'fonts-dejavu-core',
];

function missingPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...DEBIAN_PACKAGES], { encoding: 'utf8' });
  const installed = new Set(r.stdout.split('\n').filter((l) => l.endsWith('install ok installed')).map((l) => l.split(' ')[0]));
  return DEBIAN_PACKAGES.filter((p) => !installed.has(p));
}

const missing = missingPackages();
if (missing.length) {
  if (process.getuid?.() === 0) {
    console.log(`[test] instalando paquetes Debian: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    }
    if (r.status !== 0) {
      console.error('[test] apt-get failed');
      process.exit(1);
    }
  } else {
    console.error(`[test] missing Debian packages (run as root to install them): ${missing.join(' ')}`);
  }
}

// Type-check and build (the CLI, the UI assets and the benches run from dist/).
for (const [cmd, args] of [['npm', ['run', '-s', 'build']]]) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[test] ${cmd} ${args.join(' ')} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'helpers' && name !== 'fixtures') out.push(...findTests(p));
    } else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const filter = process.argv.slice(2);
let files = findTests('test');
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const parallel = files.filter((f) => !f.endsWith('.serial.test.ts'));
const serial = files.filter((f) => f.endsWith('.serial.test.ts'));

const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0, todo: 0 };
function run(group, concurrency) {
  if (!group.length) return Promise.resolve(0);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...group], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    let tail = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      for (const k of Object.keys(totals)) {
        const m = tail.match(new RegExp(`ℹ ${k} (\\d+)`));
        if (m) totals[k] += Number(m[1]);
      }
      resolve(code ?? 1);
    });
  });
}

const codeA = await run(parallel, 2);
const codeB = await run(serial, 1);
const failed = totals.fail + totals.cancelled;
console.log(`\n${totals.pass} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(codeA || codeB || (failed ? 1 : 0));
