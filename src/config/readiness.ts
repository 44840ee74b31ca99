/**
 * What keeps a saved config from syncing, each problem on its field: what the protocol still lacks (its
 * declaration's `missing`), a protocol that is not available here, and an encryption setup whose key files are
 * missing or unsafe. The UI shows these after "Guardar" instead of a plain "Configuración guardada".
 */
import { stat } from 'node:fs/promises';
import type { Text } from '../errors.js';
import { msg } from '../messages/index.js';
import type { Availability } from '../transports/registry.js';
import { completenessProblems, type SyncConfig } from './schema.js';

export interface ReadinessProblem {
  /** Dotted key of the field ('webdav.username', 'encryption.identity_file', 'protocol'). */
  key: string;
  text: Text;
  /** 'incomplete': no sync can run; 'warning': it runs, but something will not work (receiving encrypted versions). */
  severity: 'incomplete' | 'warning';
}

/** Why a key file cannot be used, or null when it can (present, a file, no access for group or others). */
async function keyFileProblem(file: string): Promise<Text | null> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return msg('truth.key_file_missing', { file });
  if (st.mode & 0o077) return msg('truth.key_file_insecure', { file, mode: (st.mode & 0o777).toString(8) });
  return null;
}

export async function readinessProblems(cfg: SyncConfig, availability: Availability[]): Promise<ReadinessProblem[]> {
  const out: ReadinessProblem[] = completenessProblems(cfg).map((p) => ({
    key: p.key,
    text: p.text,
    severity: 'incomplete',
  }));
  const a = availability.find((x) => x.protocol === cfg.protocol);
  if (a && !a.available) out.push({ key: 'protocol', text: msg('truth.protocol_unavailable'), severity: 'incomplete' });
  const enc = cfg.encryption;
  if (enc?.enabled) {
    if (enc.mode === 'x25519') {
      if (!enc.identity_file)
        out.push({ key: 'encryption.identity_file', text: msg('truth.identity_missing'), severity: 'warning' });
      else {
        const why = await keyFileProblem(enc.identity_file);
        // Sending needs only the public keys: without a usable identity, receiving and restoring are what fail.
        if (why) out.push({ key: 'encryption.identity_file', text: why, severity: 'warning' });
      }
    }
    if (enc.mode === 'passphrase' && enc.passphrase_file) {
      const why = await keyFileProblem(enc.passphrase_file);
      if (why) out.push({ key: 'encryption.passphrase_file', text: why, severity: 'incomplete' });
    }
  }
  return out;
}
