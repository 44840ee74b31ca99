// Our Socket.IO client in a child process, so its peak RSS is its own. CX_CLIENT (JSON): { url, push?, pull?,
// forceProtocol?, database_id? }. Prints `RESULT {...}` with the manifest, timings (ms) and peakRssMb.
// CX_CODE=dist runs the compiled program with plain node (benchmarks); otherwise src/ under tsx.
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
  process.env.CX_CODE === 'dist' ? 'dist' : 'src',
);
const { defaultConfig } = await import(path.join(root, 'config/schema.js'));
const { SocketioEndpoint } = await import(path.join(root, 'transports/socketio/endpoint.js'));
const { sha256File } = await import(path.join(root, 'db/snapshot.js'));

const job = JSON.parse(process.env.CX_CLIENT ?? '{}');
const cfg = defaultConfig();
cfg.socketio.server_url = job.url;
if (job.database_id) cfg.socketio.database_id = job.database_id;
const ep = new SocketioEndpoint(
  cfg,
  { log: { emit: () => {} }, tmpDir: os.tmpdir(), device: 'hijo' },
  { forceProtocol: job.forceProtocol, ackTimeoutMs: 120_000 },
);
const result = {};
try {
  await ep.open();
  if (job.push) {
    const { sha256, size } = await sha256File(job.push);
    if (statSync(job.push).size !== size) throw new Error('file changed');
    const t = performance.now();
    const r = await ep.push(job.push, {
      sha256,
      size,
      encrypted: false,
      device: 'hijo',
      baseGeneration: job.baseGeneration ?? null,
    });
    result.pushMs = performance.now() - t;
    result.manifest = r.manifest ?? null;
    result.conflict = r.conflict ?? null;
  }
  if (job.pull) {
    const t = performance.now();
    result.pulled = await ep.pull(job.pull);
    result.pullMs = performance.now() - t;
  }
} catch (err) {
  result.error = { code: err.code, message: err.message };
} finally {
  await ep.close();
}
result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
