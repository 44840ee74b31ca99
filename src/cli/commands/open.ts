/**
 * `cordiax-sync open`: the stable way back into a running web UI (a restart, a closed tab, a lost address). The
 * bearer token is read from `<home>/ui-access.json` (0600, written by the running UI) and traded for a one-time
 * login code; the browser gets the path of a 0600 launcher page, so neither the token nor the code is ever in a
 * process's arguments (readable by every local user in /proc) or in the browser's history.
 */
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Command } from 'commander';
import { cordiaxHome } from '../../config/schema.js';
import { SyncError, t } from '../../errors.js';
import { bilingual, msg } from '../../messages/index.js';

interface Access {
  url: string;
  token: string;
  /** The UI's certificate when it serves HTTPS (often self-signed): the only one trusted for this request. */
  ca?: string;
}

async function readAccess(home: string): Promise<Access> {
  const file = path.join(home, 'ui-access.json');
  const text = await fsp.readFile(file, 'utf8').catch(() => null);
  const data = text ? (JSON.parse(text) as Partial<Access>) : null;
  if (!data || typeof data.url !== 'string' || typeof data.token !== 'string')
    throw new SyncError('NOT_FOUND', msg('access.not_running', { home, file }));
  return { url: data.url, token: data.token, ...(typeof data.ca === 'string' ? { ca: data.ca } : {}) };
}

/** POST /api/login-code with the bearer token; over HTTPS trusting only the UI's own certificate. */
function postJson(access: Access): Promise<{ status: number; body: string }> {
  const url = new URL('/api/login-code', access.url);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${access.token}`, 'Content-Type': 'application/json' },
        timeout: 10_000,
        ...(url.protocol === 'https:' && access.ca ? { ca: access.ca } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end('{}');
  });
}

/** A one-time login address from the running UI. */
export async function loginAddress(home: string): Promise<string> {
  const access = await readAccess(home);
  let answer: { status: number; body: string };
  try {
    answer = await postJson(access);
  } catch (err) {
    throw new SyncError(
      'CONNECTION_REFUSED',
      msg('access.no_answer', { url: access.url, message: (err as Error).message }),
    );
  }
  const body = (() => {
    try {
      return JSON.parse(answer.body) as { code?: unknown };
    } catch {
      return null;
    }
  })();
  if (answer.status !== 200 || typeof body?.code !== 'string')
    throw new SyncError('PROTOCOL', msg('access.no_answer', { url: access.url, message: `HTTP ${answer.status}` }));
  return `${access.url}/?code=${encodeURIComponent(body.code)}`;
}

export function registerOpenCommand(program: Command, fail: (err: unknown) => never): void {
  program
    .command('open')
    .description(bilingual(msg('access.help.open')))
    .option('--print', bilingual(msg('access.help.print')))
    .action(async (o: { print?: boolean }) => {
      const home = cordiaxHome();
      try {
        const address = await loginAddress(home);
        if (o.print) {
          process.stdout.write(`${t(msg('access.open_this', { url: address }))}\n`);
          return;
        }
        const { openInBrowser } = await import('../../ui/server.js');
        await openInBrowser(home, address);
        process.stdout.write(`${t(msg('access.opening', { url: new URL(address).origin }))}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
