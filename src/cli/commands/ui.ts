/**
 * `cordiax-sync ui certificate`: a self-signed certificate for the web UI's HTTPS, for a small office without a
 * certificate authority. The key is made here (node:crypto) and written 0600 under $CORDIAX_HOME/tls/ (0700); Node
 * cannot write X.509, so `openssl req -x509` signs the certificate, given the key's PATH (never the key: process
 * arguments are readable by every local user). The SHA-256 fingerprint printed is what the browser shows when it
 * asks whether to trust the certificate.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { constants as fsc, promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { cordiaxHome } from '../../config/schema.js';
import { configPath, loadConfig, saveConfig } from '../../config/store.js';
import { SyncError, t, toSyncError } from '../../errors.js';
import { redact } from '../../log/redact.js';
import { bilingual, msg } from '../../messages/index.js';
import { ensurePrivateDir } from '../../util/private-dir.js';

export const CERT_FILE = 'ui-cert.pem';
export const KEY_FILE = 'ui-key.pem';
const DEFAULT_DAYS = 825;

export interface CertificateResult {
  cert_file: string;
  key_file: string;
  names: string[];
  fingerprint_sha256: string;
  valid_until: string;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A subjectAltName entry for a name: only plain host names and IP literals (no commas, slashes or spaces). */
function sanEntry(name: string): string {
  if (net.isIP(name)) return `IP:${name}`;
  if (DNS_NAME.test(name)) return `DNS:${name.toLowerCase()}`;
  throw new SyncError('CONFIG_INVALID', msg('tls.bad_name', { name }));
}

/** This computer's names: its host name (and .local for mDNS), localhost, and its addresses. */
export function defaultNames(): string[] {
  const names: string[] = [];
  const host = os.hostname().toLowerCase();
  if (DNS_NAME.test(host)) names.push(host, ...(host.includes('.') ? [] : [`${host}.local`]));
  names.push('localhost', '127.0.0.1', '::1');
  for (const i of Object.values(os.networkInterfaces()).flat()) {
    if (!i || i.internal) continue;
    // Link-local IPv6 needs a zone (fe80::1%eth0), which a browser address cannot carry usefully.
    if (i.family === 'IPv6' && /^fe80:/i.test(i.address)) continue;
    names.push(i.address);
  }
  return [...new Set(names)];
}

async function exists(file: string): Promise<boolean> {
  return fsp.lstat(file).then(
    () => true,
    () => false,
  );
}

/** Creates a file only we can read (0600), never through a planted link, failing if the name is taken. */
async function writePrivate(file: string, text: string): Promise<void> {
  const fh = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes <home>/tls/ui-cert.pem and ui-key.pem (0600) for `names` and points ui.tls_cert_file / ui.tls_key_file at
 * them. An existing certificate is kept unless `force` (browsers that trusted it would warn again).
 */
export async function createUiCertificate(
  opts: { home?: string; names?: string[]; days?: number; force?: boolean } = {},
): Promise<CertificateResult> {
  const home = opts.home ?? cordiaxHome();
  const names = opts.names?.length ? [...new Set(opts.names)] : defaultNames();
  const san = names.map(sanEntry);
  const days = opts.days ?? DEFAULT_DAYS;
  if (!Number.isSafeInteger(days) || days < 1 || days > 3650)
    throw new SyncError('CONFIG_INVALID', msg('tls.bad_days'));
  // The config must be writable before anything is made: a certificate nobody uses helps no one.
  const file = configPath(home);
  const current = await loadConfig(file);
  if (current.status === 'invalid') throw new SyncError('CONFIG_INVALID', msg('tls.config_invalid'));

  const probe = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new SyncError('UNAVAILABLE', msg('tls.openssl_missing'));

  ensurePrivateDir(home, { allowLink: true, recursive: true });
  const dir = path.join(home, 'tls');
  ensurePrivateDir(dir);
  const certFile = path.join(dir, CERT_FILE);
  const keyFile = path.join(dir, KEY_FILE);
  if (!opts.force && (await exists(certFile))) {
    const old = await fsp.readFile(certFile, 'utf8').catch(() => '');
    let fingerprint = '?';
    try {
      fingerprint = new X509Certificate(old).fingerprint256;
    } catch {
      /* not a certificate: named anyway */
    }
    throw new SyncError('ALREADY_EXISTS', msg('tls.already_exists', { file: certFile, fingerprint }));
  }

  // New files beside the old ones, renamed over them only once the pair is complete and checked.
  const tag = `${process.pid}-${Date.now()}`;
  const newKey = path.join(dir, `.${KEY_FILE}.${tag}`);
  const newCert = path.join(dir, `.${CERT_FILE}.${tag}`);
  try {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writePrivate(newKey, keyPem);
    const cn = names.find((n) => !net.isIP(n)) ?? names[0]!;
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-new',
        '-x509',
        '-key',
        newKey,
        '-out',
        newCert,
        '-days',
        String(days),
        '-sha256',
        '-subj',
        `/O=Cordiax Sync/CN=${cn}`,
        '-addext',
        `subjectAltName=${san.join(',')}`,
        '-addext',
        'basicConstraints=critical,CA:FALSE',
        '-addext',
        'keyUsage=critical,digitalSignature',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
    );
    if (r.error || r.status !== 0) {
      const detail = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(0, 3).join(' ');
      throw new SyncError('INTERNAL', msg('tls.openssl_failed', { detail }));
    }
    const x509 = new X509Certificate(await fsp.readFile(newCert));
    if (!x509.checkPrivateKey(privateKey)) throw new SyncError('INTERNAL', msg('tls.openssl_failed', { detail: '?' }));
    await fsp.chmod(newCert, 0o644);
    await fsp.rename(newKey, keyFile);
    await fsp.rename(newCert, certFile);
    const raw = current.status === 'ok' ? current.raw : (current.config as Record<string, unknown>);
    const ui = {
      ...((raw.ui as Record<string, unknown> | undefined) ?? {}),
      tls_cert_file: certFile,
      tls_key_file: keyFile,
    };
    await saveConfig({ ...raw, ui }, file);
    return {
      cert_file: certFile,
      key_file: keyFile,
      names,
      fingerprint_sha256: x509.fingerprint256,
      valid_until: new Date(x509.validTo).toISOString(),
    };
  } finally {
    await fsp.rm(newKey, { force: true });
    await fsp.rm(newCert, { force: true });
  }
}

export function registerUiCommand(program: Command): void {
  const ui = program.command('ui').description(bilingual(msg('tls.help.ui')));
  ui.command('certificate')
    .description(bilingual(msg('tls.help.certificate')))
    .option('--name <name...>', bilingual(msg('tls.help.name')))
    .option('--days <n>', bilingual(msg('tls.help.days')))
    .option('--force', bilingual(msg('tls.help.force')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (o: { name?: string[]; days?: string; force?: boolean; json?: boolean }) => {
      try {
        const r = await createUiCertificate({
          names: o.name,
          days: o.days === undefined ? undefined : Number(o.days),
          force: !!o.force,
        });
        if (o.json) process.stdout.write(`${JSON.stringify({ ok: true, ...r }, null, 2)}\n`);
        else
          process.stdout.write(
            `${t(
              msg('tls.created', {
                names: r.names.join(', '),
                cert: r.cert_file,
                key: r.key_file,
                until: r.valid_until.slice(0, 10),
                fingerprint: r.fingerprint_sha256,
              }),
            )}\n`,
          );
      } catch (err) {
        const e = toSyncError(err);
        if (o.json) process.stdout.write(`${JSON.stringify(redact({ ok: false, error: e.toJSON() }), null, 2)}\n`);
        else process.stderr.write(`${t(msg('common.error'))}: ${e.describe()}\n`);
        process.exit(e.code === 'CONFIG_INVALID' ? 2 : 1);
      }
    });
}
