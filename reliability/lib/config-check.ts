/** Runs fuzzed config files through loadConfig, the SyncService and the CLI; reports crashes and broken rules. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, saveConfig } from '../../src/config/store.js';
import { MAX_POLLING_INTERVAL, MIN_POLLING_INTERVAL, PROTOCOLS, defaultConfig } from '../../src/config/schema.js';
import { SyncService } from '../../src/service.js';
import { tmpDir } from '../../test/helpers/system.js';
import { ROOT } from './util.js';
import type { FuzzCase } from './fuzz-config.js';

export interface CaseResult {
  id: number;
  label: string;
  status: string;
  /** Threw, hung, crashed the CLI, or changed the file. */
  crash: boolean;
  problems: string[];
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

function remotePathOk(p: unknown): boolean {
  return typeof p === 'string' && !/[\u0000-\u001f\u007f]/.test(p) && !p.replace(/\\/g, '/').split('/').includes('..');
}

/** In-process checks of one case. `deep` also opens a SyncService on it (status, publicConfig, a refused save). */
export async function checkConfigCase(c: FuzzCase, deep: boolean): Promise<CaseResult> {
  const res: CaseResult = { id: c.id, label: c.label, status: '?', crash: false, problems: [] };
  const home = tmpDir('cx-fuzz-');
  const file = path.join(home, 'sync_config.json');
  writeFileSync(file, c.bytes, { mode: 0o600 });
  const unchanged = (when: string) => {
    if (!existsSync(file) || !readFileSync(file).equals(c.bytes)) {
      res.crash = true;
      res.problems.push(`the file changed (${when})`);
    }
  };
  try {
    const r = await withTimeout(loadConfig(file), 20_000, 'loadConfig');
    res.status = r.status;
    unchanged('loadConfig');
    if (r.status === 'ok') {
      const cfg = r.config;
      if (!PROTOCOLS.includes(cfg.protocol)) res.problems.push(`accepted protocol ${String(cfg.protocol)}`);
      if (!Number.isInteger(cfg.polling_interval) || cfg.polling_interval < MIN_POLLING_INTERVAL || cfg.polling_interval > MAX_POLLING_INTERVAL) res.problems.push(`accepted polling_interval ${cfg.polling_interval}`);
      if (!remotePathOk(cfg.webdav.remote_path)) res.problems.push(`accepted webdav.remote_path ${JSON.stringify(cfg.webdav.remote_path)}`);
      if (!remotePathOk(cfg.smb.remote_path)) res.problems.push(`accepted smb.remote_path ${JSON.stringify(cfg.smb.remote_path)}`);
      if (typeof cfg.enabled !== 'boolean') res.problems.push('accepted a non-boolean enabled');
      // Round trip: what we would save loads back to the same config.
      const copy = path.join(tmpDir('cx-fuzz-rt-'), 'sync_config.json');
      try {
        await saveConfig(cfg, copy);
        const back = await loadConfig(copy);
        if (back.status !== 'ok' || JSON.stringify(back.config) !== JSON.stringify(cfg)) res.problems.push('save/load round trip changed the config');
      } catch (err) {
        res.problems.push(`saving an accepted config failed: ${(err as Error).message.slice(0, 200)}`);
      }
    } else if (r.status === 'invalid') {
      if (!r.problems.length) res.problems.push('refused without a problem');
      for (const p of r.problems) {
        if (!p.key || !p.text?.es || !p.text?.en) res.problems.push(`problem without key or message: ${JSON.stringify(p).slice(0, 200)}`);
      }
      try {
        await saveConfig(defaultConfig(), file);
        res.problems.push('saveConfig overwrote an invalid file');
      } catch {
        /* refused: right */
      }
      unchanged('saveConfig over an invalid file');
    } else {
      res.problems.push(`unexpected status ${r.status}`);
    }
    if (deep) {
      const svc = await withTimeout(SyncService.open({ home, embeddedServer: false }), 20_000, 'SyncService.open');
      try {
        await withTimeout(svc.status(), 20_000, 'status');
        svc.publicConfig();
        svc.checkConfig();
        if (r.status === 'invalid') {
          await svc.saveConfig(defaultConfig() as unknown as Record<string, unknown>).then(
            () => res.problems.push('SyncService.saveConfig overwrote an invalid file'),
            () => {},
          );
        }
      } finally {
        await svc.close();
      }
      unchanged('SyncService');
    }
  } catch (err) {
    res.crash = true;
    res.problems.push(`threw: ${(err as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
  }
  return res;
}

/** The built CLI's check-config on one case: exit 0 or 2, JSON on stdout, no stack trace, file untouched, no hang. */
export function cliCheckCase(c: FuzzCase): Promise<CaseResult> {
  const home = tmpDir('cx-fuzz-cli-');
  const file = path.join(home, 'sync_config.json');
  writeFileSync(file, c.bytes, { mode: 0o600 });
  return new Promise((resolve) => {
    const res: CaseResult = { id: c.id, label: c.label, status: '?', crash: false, problems: [] };
    const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'cordiax-sync.js'), 'check-config', '--json'], { env: { ...process.env, CORDIAX_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => {
      res.crash = true;
      res.problems.push('check-config hung (30 s)');
      p.kill('SIGKILL');
    }, 30_000);
    p.on('close', (code, signal) => {
      clearTimeout(t);
      res.status = `exit ${code}`;
      if (signal) {
        res.crash = true;
        res.problems.push(`killed by ${signal}`);
      } else if (code !== 0 && code !== 2) {
        res.crash = true;
        res.problems.push(`exit code ${code}: ${err.slice(0, 300)}`);
      }
      try {
        const j = JSON.parse(out) as { ok: boolean; problems: unknown[] };
        if (j.ok !== (code === 0)) res.problems.push('ok flag disagrees with the exit code');
      } catch {
        res.crash = true;
        res.problems.push(`stdout is not JSON: ${out.slice(0, 200)} ${err.slice(0, 200)}`);
      }
      if (/\n\s+at .+:\d+:\d+/.test(err)) {
        res.crash = true;
        res.problems.push(`stack trace on stderr: ${err.slice(0, 300)}`);
      }
      if (!readFileSync(file).equals(c.bytes)) {
        res.crash = true;
        res.problems.push('check-config changed the file');
      }
      resolve(res);
    });
  });
}
