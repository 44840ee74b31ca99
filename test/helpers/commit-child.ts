/**
 * One device in its own process, for the commit-protocol tests: reads the remote head, pushes a file on top of it
 * with FileRemote, and prints one JSON line `{ result, generation?, code? }`. Job in CX_COMMIT_JOB (JSON), WebDAV
 * password in CX_COMMIT_PASSWORD (never in argv). Run as `node --import tsx test/helpers/commit-child.ts`, possibly
 * under faketime, unshare -p or another uid.
 *
 * `stopAt: 'commit'` suspends this process with SIGSTOP right before it publishes (after it read the head, uploaded
 * its object and, where a lock is used, took the lock): the test resumes it with SIGCONT, like a laptop lid.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FileRemote } from '../../src/engine/remote-layout.js';
import { FolderTransport } from '../../src/transports/folder/index.js';
import { WebdavTransport } from '../../src/transports/webdav/transport.js';
import type { FileTransport } from '../../src/transports/types.js';
import type { Attempt } from './commit-ledger.js';

export interface CommitJob {
  kind: 'folder' | 'webdav';
  /** folder: absolute path; webdav: URL of the server root. */
  where: string;
  user?: string;
  remotePath?: string;
  tmpDir: string;
  device: string;
  file: string;
  stopAt?: 'commit' | null;
}

/** One attempt as the ledger audits it (commit-ledger.ts), plus what the child saw. */
export interface CommitResult extends Attempt {
  message?: string;
  time: string;
}

const job = JSON.parse(process.env.CX_COMMIT_JOB ?? '{}') as CommitJob;
const log = { emit() {} };
const ctx = { log, tmpDir: job.tmpDir, device: job.device };
const t: FileTransport =
  job.kind === 'folder'
    ? new FolderTransport(job.where, ctx)
    : new WebdavTransport(
        {
          url: job.where,
          username: job.user ?? '',
          password: process.env.CX_COMMIT_PASSWORD ?? '',
          remote_path: job.remotePath ?? '/',
          auth: 'basic',
        } as never,
        ctx,
      );
if (job.stopAt === 'commit') {
  const mkdirp = t.mkdirp.bind(t);
  t.mkdirp = async (dir: string) => {
    if (dir === 'commits') {
      process.stdout.write('STOPPED\n');
      process.kill(process.pid, 'SIGSTOP');
    }
    return mkdirp(dir);
  };
}
const remote = new FileRemote(t, { device: job.device, keepVersions: 50, log });
const data = readFileSync(job.file);
const sha256 = createHash('sha256').update(data).digest('hex');
let out: CommitResult;
let base: number | null = null;
try {
  await remote.open();
  base = (await remote.head())?.generation ?? null;
  const r = await remote.push(job.file, {
    sha256,
    size: data.length,
    encrypted: false,
    device: job.device,
    baseGeneration: base,
  });
  out = r.manifest
    ? {
        result: 'ok',
        device: job.device,
        sha256,
        base,
        generation: r.manifest.generation,
        time: new Date().toISOString(),
      }
    : {
        result: 'conflict',
        device: job.device,
        sha256,
        base,
        ...(r.conflict ? { generation: r.conflict.generation } : {}),
        time: new Date().toISOString(),
      };
} catch (err) {
  const e = err as { code?: string; message?: string };
  out = {
    result: 'error',
    device: job.device,
    sha256,
    base,
    code: e.code ?? 'UNKNOWN',
    message: e.message ?? String(err),
    time: new Date().toISOString(),
  };
}
await remote.close().catch(() => {});
process.stdout.write(`${JSON.stringify(out)}\n`);
