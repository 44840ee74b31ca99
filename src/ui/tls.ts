/**
 * HTTPS for the web UI: the certificate and private key named by ui.tls_cert_file / ui.tls_key_file (PEM), read once
 * at start. The key is a secret like an age identity: it must be a regular file of ours that neither group nor others
 * can read (as ssh demands), checked on the open file itself so a swap between check and read changes nothing.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { SyncError, type Text } from '../errors.js';
import { registerSecret } from '../log/redact.js';
import { msg } from '../messages/index.js';

/** PEM files are a few KiB; anything much larger is not one. */
const MAX_PEM = 256 * 1024;

export interface UiTls {
  cert: string;
  key: string;
  /** SHA-256 of the certificate, as browsers show it (AA:BB:...). */
  fingerprint: string;
  /** The DNS names in the certificate: accepted as Host names besides IP literals (the names people type). */
  dnsNames: string[];
  /** The IP addresses in the certificate (normalised by node: IPv6 in full lower-case hex groups as X509 shows). */
  ipAddresses: string[];
  /** When the certificate stops being valid (ISO). */
  validTo: string;
}

type Field = 'ui.tls_cert_file' | 'ui.tls_key_file';

function invalid(text: Text, file?: string): SyncError {
  return new SyncError('CONFIG_INVALID', text, file ? { details: { path: file } } : {});
}

/** Reads one PEM file; for the key, refuses a file another user owns or group/others can read. */
async function readPem(field: Field, file: string, secret: boolean): Promise<string> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'error';
    throw invalid(msg('tls.file_unreadable', { field, path: file, reason }), file);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_PEM) throw invalid(msg('tls.not_regular_file', { field, path: file }), file);
    if (secret && process.platform !== 'win32') {
      const me = process.getuid?.() ?? -1;
      if (me !== -1 && st.uid !== me && st.uid !== 0)
        throw invalid(msg('tls.key_other_owner', { field, path: file, uid: st.uid }), file);
      if ((st.mode & 0o077) !== 0)
        throw invalid(
          msg('tls.key_readable_by_others', { field, path: file, mode: (st.mode & 0o777).toString(8) }),
          file,
        );
    }
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Masks the key in every log line and API answer, should it ever reach one (whole, or any line of it). */
function registerKey(pem: string): void {
  registerSecret(pem.trim());
  for (const line of pem.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) registerSecret(line);
}

/**
 * The UI's certificate and key from the config, or null when neither is set. Paths are relative to the home unless
 * absolute. A half-set pair, an unreadable or unsafe key, or a key of another certificate is CONFIG_INVALID naming
 * the field.
 */
export async function loadUiTls(
  cfg: { tls_cert_file?: string; tls_key_file?: string } | undefined,
  home: string,
): Promise<UiTls | null> {
  const certFile = cfg?.tls_cert_file?.trim() || '';
  const keyFile = cfg?.tls_key_file?.trim() || '';
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) {
    const [set, missing] = certFile ? ['ui.tls_cert_file', 'ui.tls_key_file'] : ['ui.tls_key_file', 'ui.tls_cert_file'];
    throw invalid(msg('tls.pair_incomplete', { set, missing }));
  }
  const certPath = path.resolve(home, certFile);
  const keyPath = path.resolve(home, keyFile);
  const key = await readPem('ui.tls_key_file', keyPath, true);
  registerKey(key);
  const cert = await readPem('ui.tls_cert_file', certPath, false);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw invalid(
      msg('tls.not_pem', { field: 'ui.tls_cert_file', path: certPath, what: msg('tls.what.certificate') }),
      certPath,
    );
  }
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    throw invalid(
      msg('tls.not_pem', { field: 'ui.tls_key_file', path: keyPath, what: msg('tls.what.private_key') }),
      keyPath,
    );
  }
  if (!x509.checkPrivateKey(keyObject))
    throw invalid(msg('tls.key_does_not_match', { key: keyPath, cert: certPath }), keyPath);
  return {
    cert,
    key,
    fingerprint: x509.fingerprint256,
    dnsNames: dnsNamesOf(x509),
    ipAddresses: ipAddressesOf(x509),
    validTo: new Date(x509.validTo).toISOString(),
  };
}

/** "DNS:a, IP Address:1.2.3.4" -> ['1.2.3.4'] */
function ipAddressesOf(x509: X509Certificate): string[] {
  return (x509.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('IP Address:'))
    .map((s) => s.slice('IP Address:'.length));
}

/** Whether a browser reaching `host` would find it among the certificate's names (else it warns twice). */
export function certificateCovers(tls: UiTls, host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (tls.dnsNames.includes(h)) return true;
  return tls.ipAddresses.some((ip) => ip === h || (h.includes(':') && expandIpv6(h) === ip.toLowerCase()));
}

/** "fd00::2" -> "fd00:0:0:0:0:0:0:2" (OpenSSL's form of an IPv6 subjectAltName). */
function expandIpv6(ip: string): string {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - a.length - b.length).fill('0');
  return [...a, ...fill, ...b].map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

/** "DNS:a, IP Address:1.2.3.4, DNS:b" -> ['a', 'b'] (wildcards left out: a Host header is one exact name). */
export function dnsNamesOf(x509: X509Certificate): string[] {
  return (x509.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase())
    .filter((n) => n && !n.includes('*'));
}
