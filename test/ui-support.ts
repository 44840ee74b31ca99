/** Shared by the UI tests: build the page once, start service + UI over a temp home, raw HTTP, Chromium, screenshots. */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SyncService } from '../src/service.js';
import { startUiServer, type UiServer } from '../src/ui/server.js';
import { tmpDir } from './helpers/system.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHOTS_DIR = path.join(root, 'test-output/ui');

/** The page is built from src/ui/web by the same script `npm run build` runs (fast: esbuild). */
export function buildUi(): void {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build-ui.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-ui failed: ${r.stderr}`);
}

export interface UiEnv {
  home: string;
  svc: SyncService;
  ui: UiServer;
  /** http://127.0.0.1:port (no token). */
  base: string;
  close(): Promise<void>;
}

/** A service over a fresh temp home (CORDIAX_HOME points there too: the default database path follows it). */
export async function startUiEnv(opts: { home?: string } = {}): Promise<UiEnv> {
  const home = opts.home ?? tmpDir('cx-ui-');
  process.env.CORDIAX_HOME = home;
  const svc = await SyncService.open({ home, embeddedServer: false });
  const ui = await startUiServer(svc, { port: 0 });
  return {
    home,
    svc,
    ui,
    base: `http://127.0.0.1:${ui.port}`,
    async close() {
      await ui.close();
      await svc.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP request with full control of Host, Origin and cookies (fetch would not let us set Host). */
export function raw(
  port: number,
  opts: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    host?: string;
    readMs?: number;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.host ?? '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { Host: `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        res.on('end', done);
        // Event streams never end: read for a moment, then hang up.
        if (opts.readMs)
          setTimeout(() => {
            done();
            req.destroy();
          }, opts.readMs);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Trades a one-time login code for the session cookie, as a browser does with the printed address. */
export async function login(env: UiEnv): Promise<{ cookie: string; csrf: string }> {
  const r = await raw(env.ui.port, { path: `/${new URL(env.ui.loginUrl()).search}` });
  const cookie = String(r.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const page = await raw(env.ui.port, { headers: { Cookie: cookie } });
  const csrf = /name="cordiax-csrf" content="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie, csrf };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, never a downloaded one. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true });
}
