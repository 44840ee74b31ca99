/**
 * Secret scanning: known passwords in every form they could leak in (raw, URL-encoded, JSON-escaped, base64, the
 * Basic-auth base64 of user:password), searched in files, API answers, CLI output, and the command line of every
 * process on the machine, sampled while the suite runs. Each scanner has a positive control so it cannot pass blind.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Hit {
  where: string;
  form: string;
  secret: string;
  context: string;
}

export class SecretSet {
  private forms: Array<{ secret: string; form: string; needle: Buffer }> = [];

  add(secret: string, user?: string): this {
    const f = (form: string, s: string) => {
      if (s.length >= 6) this.forms.push({ secret, form, needle: Buffer.from(s) });
    };
    f('raw', secret);
    if (encodeURIComponent(secret) !== secret) f('url-encoded', encodeURIComponent(secret));
    const js = JSON.stringify(secret).slice(1, -1);
    if (js !== secret) f('json-escaped', js);
    f('base64', Buffer.from(secret).toString('base64').replace(/=+$/, ''));
    f('hex', Buffer.from(secret).toString('hex'));
    if (user !== undefined) f('basic-auth', Buffer.from(`${user}:${secret}`).toString('base64').replace(/=+$/, ''));
    return this;
  }

  scan(where: string, data: Buffer | string, hits: Hit[]): void {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    for (const f of this.forms) {
      const i = buf.indexOf(f.needle);
      if (i >= 0) hits.push({ where, form: f.form, secret: f.secret.slice(0, 4) + '…', context: buf.subarray(Math.max(0, i - 60), i + f.needle.length + 20).toString('utf8').replace(f.needle.toString(), '<SECRET>') });
    }
  }

  /** Every file under `dir` (recursively), except the names in `exclude` (e.g. the config file that must hold them). */
  scanTree(dir: string, exclude: (file: string) => boolean, hits: Hit[]): number {
    let files = 0;
    const walk = (d: string) => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const n of names) {
        const p = path.join(d, n);
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(p);
        else if (st.isFile() && !exclude(p)) {
          files++;
          try {
            this.scan(p, readFileSync(p), hits);
          } catch {
            /* vanished */
          }
        }
      }
    };
    walk(dir);
    return files;
  }
}

/** Samples /proc/<pid>/cmdline of every process every `intervalMs`, scanning each new command line once. */
export class CmdlineSampler {
  samples = 0;
  readonly seen = new Set<string>();
  readonly hits: Hit[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly secrets: SecretSet,
    private readonly intervalMs = 20,
  ) {}

  sampleOnce(): void {
    this.samples++;
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
    } catch {
      return;
    }
    for (const pid of pids) {
      let cmd: Buffer;
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`);
      } catch {
        continue;
      }
      if (!cmd.length) continue;
      const key = `${pid}:${cmd.toString('latin1')}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.secrets.scan(`cmdline of pid ${pid}: ${cmd.toString('utf8').replace(/\0/g, ' ').slice(0, 120)}`, cmd, this.hits);
    }
  }

  start(): void {
    this.timer = setInterval(() => this.sampleOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sampleOnce();
  }
}
