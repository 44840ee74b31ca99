// Our sync server in a child process (its RSS is its own). CX_SERVER_OPTS: options as JSON (no secrets: tokens go
// in a file). CX_CODE=dist runs the compiled program with plain node (benchmarks); otherwise src/ under tsx.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
  process.env.CX_CODE === 'dist' ? 'dist' : 'src',
);
const { startSyncServer } = await import(path.join(root, 'server/server.js'));
const opts = JSON.parse(process.env.CX_SERVER_OPTS ?? '{}');
const server = await startSyncServer({
  ...opts,
  log: { emit: (e) => process.stderr.write(`${e.type} ${e.code ?? ''} ${e.text.en}\n`) },
});
process.stdout.write(`READY ${JSON.stringify({ url: server.url, port: server.port })}\n`);
process.on('SIGTERM', () => {
  void server.close().finally(() => {
    process.stdout.write(`PEAK_RSS_MB ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`, () => process.exit(0));
  });
});
