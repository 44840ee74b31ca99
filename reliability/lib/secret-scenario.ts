/**
 * The secret-scan scenario: a config holding known passwords (WebDAV, SMB, Socket.IO token, an encryption
 * passphrase), driven through the built CLI (every command, success and failure paths, a hostile WebDAV server that
 * echoes the Authorization header into its error pages, closed ports for SMB and Socket.IO), an encrypted folder
 * sync, and every UI API route; then every log, state and output file, every CLI output, every API answer and every
 * process command line seen meanwhile is scanned. Positive controls prove each scanner finds a planted secret.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, tmpDir } from '../../test/helpers/system.js';
import { CmdlineSampler, SecretSet, type Hit } from './secrets.js';
import { ROOT, makeDb, writeConfig } from './util.js';

export interface SecretReport {
  hits: Hit[];
  filesScanned: number;
  outputsScanned: number;
  apiAnswersScanned: number;
  cmdlinesSeen: number;
  controlsOk: boolean;
  controlProblems: string[];
  plaintextLeft: boolean;
  cliRuns: Array<{ args: string; code: number | null; ms: number }>;
}

/** A hostile WebDAV server: every answer echoes the request's Authorization header (as a header and in the body). */
async function echoServer(): Promise<{ url: string; close(): void; requests: number }> {
  const port = await freePort();
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const auth = String(req.headers.authorization ?? '');
    req.resume();
    const body = `<?xml version="1.0"?><d:error xmlns:d="DAV:"><d:message>bad request from ${auth} at ${req.url}</d:message><oops`;
    const status = req.method === 'PROPFIND' ? 207 : state.requests % 2 ? 500 : 403;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'X-Echo-Auth': auth.slice(0, 200), 'WWW-Authenticate': `Basic realm="${auth.slice(0, 50)}"` });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/dav/`, close: () => server.close(), get requests() { return state.requests; } };
}

function cli(home: string, args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'cordiax-sync.js'), ...args], { cwd: home, env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
    p.stdin.end(input ?? '');
  });
}

export async function runSecretScenario(): Promise<SecretReport> {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  const tag = randomBytes(3).toString('hex');
  const S = {
    webdav: `Wd-Clave-${tag}-ñ&x/y`,
    webdav2: `Wd-Nueva-${tag}-#z`,
    smb: `Smb-Clave-${tag}-%q`,
    token: `Tok-Clave-${tag}-9`,
    passphrase: `Frase secreta ${tag} muy larga`,
  };
  const secrets = new SecretSet().add(S.webdav, 'ana').add(S.webdav2, 'ana').add(S.smb, 'cxsmb').add(S.token).add(S.passphrase);
  const control = `Control-${tag}-XYZ`;
  const controls = new SecretSet().add(control);
  const rep: SecretReport = { hits: [], filesScanned: 0, outputsScanned: 0, apiAnswersScanned: 0, cmdlinesSeen: 0, controlsOk: false, controlProblems: [], plaintextLeft: false, cliRuns: [] };
  const sampler = new CmdlineSampler(secrets);
  const controlSampler = new CmdlineSampler(controls);
  sampler.start();
  controlSampler.start();
  const echo = await echoServer();
  const closedPort = await freePort();
  const home = tmpDir('cx-secrets-home-');
  const remote = path.join(tmpDir('cx-secrets-remote-'), 'cordiax_sync');
  const db = path.join(home, 'cordiax.db');
  const ROW = `fila-privada-${tag}`;
  makeDb(db, [ROW, `${ROW}-2`], 0.1);
  const passFile = path.join(home, 'frase.txt');
  writeFileSync(passFile, S.passphrase + '\n', { mode: 0o600 });
  const base = {
    enabled: false,
    polling_interval: 300,
    webdav: { url: echo.url, username: 'ana', password: S.webdav, remote_path: '/cordiax_sync/' },
    smb: { server: '127.0.0.1', share_name: 'share', username: 'cxsmb', password: S.smb, domain: '', remote_path: '/cordiax_sync/', port: closedPort },
    socketio: { server_url: `http://127.0.0.1:${closedPort}`, namespace: '/cordiax-sync/', token: S.token },
    folder: { path: remote },
    database_path: db,
    device_name: 'secretos',
    encryption: { enabled: true, mode: 'passphrase', passphrase_file: passFile },
  };
  const outputs: Array<[string, string]> = [];
  const run = async (args: string[], input?: string) => {
    const t0 = Date.now();
    const r = await cli(home, args, input);
    rep.cliRuns.push({ args: args.join(' '), code: r.code, ms: Date.now() - t0 });
    outputs.push([`cli ${args.join(' ')} stdout`, r.out], [`cli ${args.join(' ')} stderr`, r.err]);
    return r;
  };

  try {
    // WebDAV against the echoing server: test, sync, status, log.
    writeConfig(home, { ...base, protocol: 'webdav' });
    for (const args of [['check-config', '--json'], ['test', '--json'], ['test'], ['sync', '--json'], ['sync'], ['status', '--json'], ['status'], ['log', '--json', '--limit', '500'], ['log'], ['config', 'get', 'webdav', '--json'], ['config', 'get', 'webdav.password', '--json'], ['config', 'get', 'smb.password'], ['versions', '--json']]) await run(args);
    // A password change through stdin (never argv), then the failing commands again.
    await run(['config', 'set', 'webdav.password', '-'], S.webdav2 + '\n');
    for (const args of [['test', '--json'], ['sync', '--json']]) await run(args);
    // SMB and Socket.IO at a closed port.
    for (const p of ['smb', 'socketio']) {
      await run(['test', '--protocol', p, '--json']);
      writeConfig(home, { ...JSON.parse(readFileSync(path.join(home, 'sync_config.json'), 'utf8')), protocol: p });
      await run(['sync', '--json']);
      await run(['status', '--json']);
    }
    // An encrypted folder sync: the remote must hold ciphertext only.
    writeConfig(home, { ...JSON.parse(readFileSync(path.join(home, 'sync_config.json'), 'utf8')), protocol: 'folder' });
    const pushed = await run(['sync', '--json']);
    if (pushed.code !== 0) rep.controlProblems.push(`encrypted folder sync failed: ${pushed.out.slice(0, 300)} ${pushed.err.slice(0, 300)}`);
    const plain = new SecretSet().add(ROW);
    const plainHits: Hit[] = [];
    plain.scanTree(remote, () => false, plainHits);
    for (const f of [remote]) if (existsSync(f)) new SecretSet().add('SQLite format 3').scanTree(f, () => false, plainHits);
    rep.plaintextLeft = plainHits.length > 0;
    await run(['versions', '--json']);
    await run(['status', '--json']);

    // The UI API, in-process, every route (GET and the POSTs that touch secrets).
    const ui = await import('../../src/ui/server.js').catch(() => null);
    if (ui) {
      const { SyncService } = await import('../../src/service.js');
      writeConfig(home, { ...JSON.parse(readFileSync(path.join(home, 'sync_config.json'), 'utf8')), protocol: 'webdav' });
      const svc = await SyncService.open({ home, embeddedServer: false });
      const token = randomBytes(16).toString('hex');
      const server = await ui.startUiServer(svc, { port: 0, token, host: '127.0.0.1' });
      const origin = `http://127.0.0.1:${server.port}`;
      const call = async (method: string, p: string, body?: unknown) => {
        const res = await fetch(origin + p, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        rep.apiAnswersScanned++;
        const hdrs: string[] = [];
        res.headers.forEach((v, k) => hdrs.push(`${k}: ${v}`));
        outputs.push([`api ${method} ${p} (${res.status})`, `${hdrs.join('\n')}\n${text}`]);
        return text;
      };
      try {
        const state = await call('GET', '/api/state');
        for (const p of ['/api/status', '/api/events?limit=1000', '/api/versions']) await call('GET', p);
        await call('POST', '/api/test', { protocol: 'webdav' });
        await call('POST', '/api/test', { protocol: 'smb' });
        await call('POST', '/api/test', { protocol: 'socketio' });
        await call('POST', '/api/sync', {});
        let cfg: Record<string, unknown> | undefined;
        try {
          cfg = (JSON.parse(state) as { config?: Record<string, unknown> }).config;
        } catch {
          /* not JSON */
        }
        if (cfg) await call('POST', '/api/config', { config: cfg });
        await call('GET', '/api/events?limit=1000');
        // The event stream: read what it replays.
        const ctl = new AbortController();
        const sse = await fetch(origin + '/api/events/stream', { headers: { Authorization: `Bearer ${token}` }, signal: ctl.signal }).catch(() => null);
        if (sse?.body) {
          const reader = sse.body.getReader();
          let text = '';
          const end = Date.now() + 1500;
          while (Date.now() < end && text.length < 2_000_000) {
            const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 300))]);
            if (!chunk || chunk.done) break;
            text += Buffer.from(chunk.value).toString('utf8');
          }
          ctl.abort();
          rep.apiAnswersScanned++;
          outputs.push(['api GET /api/events/stream', text]);
        }
      } finally {
        await server.close();
        await svc.close();
      }
    } else {
      rep.controlProblems.push('src/ui/server.js not loadable: API answers not scanned');
    }

    // Positive controls: a planted secret in argv, in a file, in an output must be found.
    await new Promise<void>((resolve) => {
      const p = spawn('sh', ['-c', 'sleep 0.5', control]);
      p.on('close', () => resolve());
    });
    const ctlFile = path.join(home, 'logs', 'control.txt');
    mkdirSync(path.dirname(ctlFile), { recursive: true });
    writeFileSync(ctlFile, `x ${control} y`);
  } finally {
    sampler.stop();
    controlSampler.stop();
    echo.close();
  }

  // Files: everything in the home and the remote, except the config file and the passphrase file that must hold them.
  const exclude = (f: string) => f === path.join(home, 'sync_config.json') || f === passFile || f.endsWith('control.txt');
  rep.filesScanned = secrets.scanTree(home, exclude, rep.hits) + secrets.scanTree(remote, () => false, rep.hits);
  for (const [where, text] of outputs) secrets.scan(where, text, rep.hits);
  rep.outputsScanned = outputs.length;
  rep.hits.push(...sampler.hits);
  rep.cmdlinesSeen = sampler.seen.size;

  const ctlHits: Hit[] = [];
  controls.scanTree(home, () => false, ctlHits);
  if (!controlSampler.hits.length) rep.controlProblems.push('the command-line sampler missed the planted control');
  if (!ctlHits.length) rep.controlProblems.push('the file scan missed the planted control');
  if (echo.requests === 0) rep.controlProblems.push('the echoing WebDAV server got no request');
  if (statSync(path.join(home, 'sync_config.json')).mode & 0o077) rep.controlProblems.push('sync_config.json is readable by group/other');
  rep.controlsOk = rep.controlProblems.length === 0;
  return rep;
}
