/** Helpers for the Socket.IO tests and bench: our server in a child process, endpoints, events. */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { defaultConfig, type SyncConfig } from '../../src/config/schema.js';
import type { EventInput, Logger } from '../../src/log/events.js';
import type { SyncServerOptions } from '../../src/server/server.js';
import { SocketioEndpoint, type EndpointOptions } from '../../src/transports/socketio/endpoint.js';
import type { SyncEndpoint } from '../../src/transports/types.js';
import { freePort, killGroup, startDaemon, tmpDir } from './system.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_CHILD = path.join(here, 'socketio-server-child.mjs');
export const CLIENT_CHILD = path.join(here, 'socketio-client-child.mjs');

/** Children run src/ under tsx (tests) or the compiled dist/ with plain node (benchmarks: no loader in the RSS). */
export type Code = 'src' | 'dist';
function childArgs(code: Code, script: string): string[] {
  return code === 'dist' ? [script] : ['--import', 'tsx', script];
}

/** A Logger that remembers events (tests assert on codes and on the absence of secrets). */
export function memoryLogger(): Logger & { events: EventInput[] } {
  const events: EventInput[] = [];
  return { events, emit: (e) => void events.push(e) };
}

export function socketioConfig(serverUrl: string, extra: Partial<SyncConfig['socketio']> = {}): SyncConfig {
  const cfg = defaultConfig();
  cfg.protocol = 'socketio';
  cfg.socketio = { ...cfg.socketio, server_url: serverUrl, ...extra };
  return cfg;
}

export function endpoint(
  serverUrl: string,
  extra: Partial<SyncConfig['socketio']> = {},
  opts: EndpointOptions = {},
  device = 'equipo-a',
): { ep: SocketioEndpoint; log: ReturnType<typeof memoryLogger> } {
  const log = memoryLogger();
  const ep = new SocketioEndpoint(
    socketioConfig(serverUrl, extra),
    { log, tmpDir: tmpDir('cx-sio-ctx-'), device },
    opts,
  );
  return { ep, log };
}

/** Resolves with the next remote event of `kind`. */
export function nextEvent(ep: SyncEndpoint, kind: string): Promise<{ kind: string; manifest?: unknown }> {
  return new Promise((resolve) => {
    const off = ep.onRemoteEvent((ev) => {
      if (ev.kind === kind) {
        off();
        resolve(ev);
      }
    });
  });
}

export interface ServerChild {
  url: string;
  port: number;
  storageDir: string;
  proc: ChildProcess;
  /** Asks the server to close; resolves with its peak RSS (MB). */
  stop(): Promise<number>;
  kill(): void;
}

/** Starts our server in its own process (its RSS is its own; a test can kill or freeze it). */
export async function startServerChild(
  opts: Partial<SyncServerOptions> & { port?: number } = {},
  code: Code = 'src',
): Promise<ServerChild> {
  const storageDir = opts.storageDir ?? tmpDir('cx-sio-store-');
  const port = opts.port ?? (await freePort());
  const full = { host: '127.0.0.1', ...opts, port, storageDir };
  if (full.tokens) throw new Error('pass tokens through tokensFile: never in the environment or arguments');
  const proc = startDaemon(process.execPath, childArgs(code, SERVER_CHILD), {
    env: { ...process.env, CX_CODE: code, CX_SERVER_OPTS: JSON.stringify(full) },
  });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/^READY (.*)$/m);
      if (m) resolve(JSON.parse(m[1]!));
    });
    proc.once('exit', (code) => reject(new Error(`server child exited (${code}): ${err}`)));
  });
  return {
    ...ready,
    storageDir,
    proc,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = once(proc, 'exit');
        proc.kill('SIGTERM');
        await exited;
      }
      const m = out.match(/^PEAK_RSS_MB (\d+)$/m);
      return m ? Number(m[1]) : NaN;
    },
    kill: () => killGroup(proc),
  };
}

export function writeTokens(dir: string, tokens: string[]): string {
  const f = path.join(dir, 'tokens.txt');
  writeFileSync(f, `# tokens\n${tokens.join('\n')}\n`, { mode: 0o600 });
  return f;
}

/** Runs the client child to completion and returns its RESULT. */
export async function runClientChild(
  job: {
    url: string;
    push?: string;
    pull?: string;
    forceProtocol?: 1;
    database_id?: string;
    baseGeneration?: number | null;
  },
  code: Code = 'src',
): Promise<Record<string, unknown> & { peakRssMb: number }> {
  const proc = startDaemon(process.execPath, childArgs(code, CLIENT_CHILD), {
    env: { ...process.env, CX_CODE: code, CX_CLIENT: JSON.stringify(job) },
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await once(proc, 'exit');
  const m = out.match(/^RESULT (.*)$/m);
  if (!m) throw new Error(`client child gave no result: ${err}`);
  return JSON.parse(m[1]!) as Record<string, unknown> & { peakRssMb: number };
}
