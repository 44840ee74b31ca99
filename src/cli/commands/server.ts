/** `cordiax-sync server`: runs our Socket.IO sync server in the foreground until Ctrl+C / SIGTERM. */
import path from 'node:path';
import type { Command } from 'commander';
import { SyncError, t } from '../../errors.js';
import type { Logger } from '../../log/events.js';
import { redactString } from '../../log/redact.js';
import { cordiaxHome } from '../../config/schema.js';
import { startSyncServer } from '../../server/server.js';
import { bilingual, msg } from '../../messages/index.js';

const consoleLogger: Logger = {
  emit(ev) {
    const line = `${new Date().toISOString()} ${(ev.level ?? (ev.type === 'error' ? 'error' : ev.type === 'warning' ? 'warn' : 'info')).toUpperCase()} ${redactString(t(ev.text))}`;
    process.stderr.write(`${line}\n`);
  },
};

function int(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new SyncError('CONFIG_INVALID', msg('cli.must_integer_between', { name, min, max }));
    }
    return n;
  };
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description(bilingual(msg('cli.help.runs_socket_io_sync')))
    .option('--host <host>', bilingual(msg('cli.help.listen_address')), '127.0.0.1')
    .option('--port <port>', bilingual(msg('cli.help.port')), int('--port', 0, 65535), 5000)
    .option('--storage <dir>', bilingual(msg('cli.help.storage_folder_default_cordiax')))
    .option('--tokens-file <file>', bilingual(msg('cli.help.file_one_token_per')))
    .option('--tls-cert <file>', bilingual(msg('cli.help.pem_certificate')))
    .option('--tls-key <file>', bilingual(msg('cli.help.pem_private_key')))
    .option('--cors <origin...>', bilingual(msg('cli.help.allowed_browser_origins')))
    .option(
      '--max-bytes <n>',
      bilingual(msg('cli.help.size_limit_per_database')),
      int('--max-bytes', 1, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--keep-versions <n>',
      bilingual(msg('cli.help.versions_kept_per_database')),
      int('--keep-versions', 1, 1000),
    )
    .option('--redis <url>', bilingual(msg('cli.help.redis_several_processes')))
    .action(
      async (o: {
        host: string;
        port: number;
        storage?: string;
        tokensFile?: string;
        tlsCert?: string;
        tlsKey?: string;
        cors?: string[];
        maxBytes?: number;
        keepVersions?: number;
        redis?: string;
      }) => {
        if (!!o.tlsCert !== !!o.tlsKey) {
          throw new SyncError('CONFIG_INVALID', msg('cli.tls_cert_tls_key'));
        }
        if (!o.tokensFile && o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
          consoleLogger.emit({
            type: 'warning',
            text: msg('cli.server_listens_without_token', { host: o.host }),
          });
        }
        const server = await startSyncServer({
          host: o.host,
          port: o.port,
          storageDir: path.resolve(o.storage ?? path.join(cordiaxHome(), 'sync-server')),
          tokensFile: o.tokensFile ? path.resolve(o.tokensFile) : undefined,
          tls: o.tlsCert && o.tlsKey ? { cert: path.resolve(o.tlsCert), key: path.resolve(o.tlsKey) } : undefined,
          corsOrigins: o.cors,
          maxBytes: o.maxBytes,
          keepVersions: o.keepVersions,
          redisUrl: o.redis,
          log: consoleLogger,
        });
        process.stdout.write(`${server.url}/cordiax-sync/\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
      },
    );
}
