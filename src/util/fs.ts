/** Durable file writes shared by the config, the sync state and the sync server's storage. */
import { randomBytes } from 'node:crypto';
import { promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** fsync a folder so a rename inside it survives a power cut (best effort where folders cannot be opened). */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fsp.open(dir, 'r').catch(() => null);
  if (!dh) return;
  try {
    await dh.sync().catch(() => {});
  } finally {
    await dh.close();
  }
}

/** Atomic write: same-folder temp file (created exclusively, `mode`), fsync, rename over, fsync the folder. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fsp.chmod(file, mode).catch(() => {});
  await fsyncDir(dir);
}

/** Up to `length` bytes of an open file from `offset`; fewer only where the file ends. */
export async function readRange(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const data = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(data, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? data : data.subarray(0, got);
}
