/** `cordiax-sync server`: runs our Socket.IO sync server in the foreground until Ctrl+C / SIGTERM. */
import path from 'node:path';
import type { Command } from 'commander';
import { SyncError, t } from '../../errors.js';
import type { Logger } from '../../log/events.js';
import { redactString } from '../../log/redact.js';
import { cordiaxHome } from '../../config/schema.js';
import { startSyncServer } from '../../server/server.js';

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
      throw new SyncError('CONFIG_INVALID', {
        es: `${name}: debe ser un número entero entre ${min} y ${max}.`,
        en: `${name}: must be an integer between ${min} and ${max}.`,
      });
    }
    return n;
  };
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description(
      'Ejecuta el servidor de sincronización Socket.IO (namespace /cordiax-sync/) / Runs the Socket.IO sync server',
    )
    .option('--host <host>', 'dirección de escucha / listen address', '127.0.0.1')
    .option('--port <port>', 'puerto / port', int('--port', 0, 65535), 5000)
    .option('--storage <dir>', 'carpeta de datos / storage folder (default: $CORDIAX_HOME/sync-server)')
    .option('--tokens-file <file>', 'archivo con un token por línea / file with one token per line')
    .option('--tls-cert <file>', 'certificado PEM / PEM certificate')
    .option('--tls-key <file>', 'clave privada PEM / PEM private key')
    .option('--cors <origin...>', 'orígenes de navegador permitidos / allowed browser origins')
    .option(
      '--max-bytes <n>',
      'tamaño máximo por base de datos / size limit per database',
      int('--max-bytes', 1, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--keep-versions <n>',
      'versiones guardadas por base de datos / versions kept per database',
      int('--keep-versions', 1, 1000),
    )
    .option('--redis <url>', 'Redis para varios procesos (scale-out) / Redis for several processes')
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
          throw new SyncError('CONFIG_INVALID', {
            es: '--tls-cert y --tls-key van juntos.',
            en: '--tls-cert and --tls-key go together.',
          });
        }
        if (!o.tokensFile && o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
          consoleLogger.emit({
            type: 'warning',
            text: {
              es: `El servidor escucha en ${o.host} SIN token: cualquiera en la red puede leer y escribir las bases de datos. Use --tokens-file.`,
              en: `The server listens on ${o.host} WITHOUT a token: anyone on the network can read and write the databases. Use --tokens-file.`,
            },
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
