/** Scans the temp folders a suite created (by name prefix) for its passwords; the config files that hold them are skipped. */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SecretSet, type Hit } from './secrets.js';

export function scanSuiteFiles(prefixes: string[], secrets: string[]): { files: number; hits: Hit[] } {
  const set = new SecretSet();
  for (const s of secrets) set.add(s);
  const hits: Hit[] = [];
  let files = 0;
  for (const name of readdirSync(os.tmpdir())) {
    if (!prefixes.some((p) => name.startsWith(p))) continue;
    files += set.scanTree(path.join(os.tmpdir(), name), (f) => path.basename(f) === 'sync_config.json' || /\.conf$|htpasswd|htdigest|passdb|smbpasswd/.test(f), hits);
  }
  return { files, hits };
}
