/**
 * The `cordiax-sync` command: a thin shell over SyncService. Every command accepts --json and exits non-zero on
 * failure (1 = error, 2 = invalid config or usage, 3 = conflict waiting for the user).
 */
import { registerServiceCommand } from './commands/service.js';
import { Command, Option } from 'commander';
import { createReadStream, promises as fsp, watchFile, unwatchFile } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SyncService } from '../service.js';
import { setLanguage, getLanguage, toSyncError, SyncError, type Language } from '../errors.js';
import { configPath, getKey, loadConfig, setKey } from '../config/store.js';
import { cordiaxHome, PROTOCOLS, type Protocol } from '../config/schema.js';
import { isSecretKey, redact } from '../log/redact.js';
import { LOG_FILE_NAME } from '../log/event-log.js';
import { generateX25519Identity } from '../crypto/index.js';
import type { SyncEvent } from '../log/events.js';
import type { ConnectionReport } from '../transports/types.js';

const EXIT = { ok: 0, error: 1, config: 2, conflict: 3 } as const;

function L(es: string, en: string): string {
  return getLanguage() === 'en' ? en : es;
}

function print(json: boolean, data: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(redact(data), null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

function fail(json: boolean, err: unknown): never {
  const e = toSyncError(err);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: e.toJSON() }, null, 2)}\n`);
  else process.stderr.write(`${L('Error', 'Error')}: ${e.describe()}\n`);
  process.exit(
    e.code === 'CONFIG_INVALID' || e.code === 'CONFIG_PARSE'
      ? EXIT.config
      : e.code === 'CONFLICT'
        ? EXIT.conflict
        : EXIT.error,
  );
}

function ago(seconds: number | null): string {
  if (seconds === null) return L('nunca', 'never');
  if (seconds < 90) return L(`hace ${seconds} s`, `${seconds} s ago`);
  if (seconds < 5400) return L(`hace ${Math.round(seconds / 60)} min`, `${Math.round(seconds / 60)} min ago`);
  if (seconds < 172800) return L(`hace ${Math.round(seconds / 3600)} h`, `${Math.round(seconds / 3600)} h ago`);
  return L(`hace ${Math.round(seconds / 86400)} días`, `${Math.round(seconds / 86400)} days ago`);
}

export function formatEvent(e: SyncEvent): string {
  const msg = getLanguage() === 'en' ? e.message_en : e.message;
  const lvl = { debug: '·', info: 'i', warn: '!', error: 'X' }[e.level];
  return `${e.time.replace('T', ' ').replace(/\.\d+Z$/, '')} ${lvl} ${msg}`;
}

export function formatReport(r: ConnectionReport): string {
  const lines = r.steps.map(
    (s) =>
      `  ${s.skipped ? '-' : s.ok ? '✓' : '✗'} ${getLanguage() === 'en' ? s.text.en : s.text.es}${!s.ok && s.hint ? `\n      → ${getLanguage() === 'en' ? s.hint.en : s.hint.es}` : ''}`,
  );
  const facts = Object.entries(r.facts).map(([k, v]) => `  ${k}: ${String(v)}`);
  const head = r.ok
    ? L(`Conexión ${r.protocol} correcta.`, `${r.protocol} connection OK.`)
    : L(`La conexión ${r.protocol} ha fallado.`, `The ${r.protocol} connection failed.`);
  const err = r.error
    ? `\n${getLanguage() === 'en' ? r.error.message_en : r.error.message}${r.error.hint ? `\n→ ${getLanguage() === 'en' ? r.error.hint_en : r.error.hint}` : ''}`
    : '';
  return (
    [head, ...lines, ...(facts.length ? [L('Datos del servidor:', 'Server facts:'), ...facts] : [])].join('\n') + err
  );
}

/** Reads a secret from stdin (piped) or a no-echo prompt: secrets never travel in process arguments. */
async function readSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
    out._writeToOutput = (s: string) => {
      if (s.includes(question)) out.output.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function openService(): Promise<SyncService> {
  return SyncService.open({ home: cordiaxHome() });
}

/** Runs fn with a service that is closed afterwards; a failure is printed and exits (see fail). */
async function withService<T>(json: boolean, fn: (svc: SyncService) => Promise<T>): Promise<T> {
  const svc = await openService();
  try {
    const r = await fn(svc);
    await svc.close();
    return r;
  } catch (err) {
    await svc.close().catch(() => {});
    fail(json, err);
  }
}

/** The whole command line: the root command and its options, then one named step per command. */
export function buildProgram(): Command {
  const program = rootCommand();
  addCheckConfigCommand(program);
  addSyncCommand(program);
  addTestCommand(program);
  addStatusCommand(program);
  addLogCommand(program);
  addStartCommand(program);
  addConfigCommands(program);
  addResolveCommand(program);
  addVersionsCommand(program);
  addRestoreCommand(program);
  addKeygenCommand(program);
  return program;
}

function rootCommand(): Command {
  const program = new Command();
  program
    .name('cordiax-sync')
    .description(
      'Sincroniza la base de datos de Cordiax (WebDAV, SMB/CIFS, Socket.IO, carpeta). / Syncs the Cordiax database.',
    )
    .addOption(new Option('--lang <lang>', 'idioma de los mensajes / message language').choices(['es', 'en']))
    .hook('preAction', (cmd) => {
      const lang = cmd.opts().lang as Language | undefined;
      if (lang) setLanguage(lang);
    });
  return program;
}

/** `check-config`: every problem of the configuration, exit 2 when there is one. */
function addCheckConfigCommand(program: Command): void {
  program
    .command('check-config')
    .description('Valida la configuración y muestra cada problema / validate the config, print every problem')
    .option('--json', 'salida JSON')
    .action(async (o: { json?: boolean }) => {
      const file = configPath();
      const r = await loadConfig(file);
      const problems = r.status === 'invalid' ? r.problems : (await openService()).checkConfig();
      const ok = problems.length === 0;
      print(
        !!o.json,
        {
          ok,
          file,
          status: r.status,
          problems: problems.map((p) => ({
            key: p.key,
            severity: p.severity,
            message: p.text.es,
            message_en: p.text.en,
          })),
        },
        () => {
          const head =
            r.status === 'missing'
              ? L(`No existe ${file}: se usan los valores por defecto.`, `${file} does not exist: using defaults.`)
              : '';
          const lines = problems.map((p) => `  - ${p.key}: ${getLanguage() === 'en' ? p.text.en : p.text.es}`);
          return [
            head,
            ok ? L('Configuración correcta.', 'Configuration OK.') : L(`Problemas en ${file}:`, `Problems in ${file}:`),
            ...lines,
          ]
            .filter(Boolean)
            .join('\n');
        },
      );
      process.exit(ok ? EXIT.ok : EXIT.config);
    });
}

/** `sync`: one sync now ("Sincronizar Ahora"), exit 3 on a conflict. */
function addSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('Sincroniza ahora ("Sincronizar Ahora") / sync now')
    .option('--json', 'salida JSON')
    .action(async (o: { json?: boolean }) => {
      const svc = await openService();
      const unsub = o.json
        ? () => {}
        : svc.subscribe(
            (e) => e.type !== 'progress' && e.level !== 'debug' && process.stderr.write(`${formatEvent(e)}\n`),
          );
      try {
        const r = await svc.syncNow();
        unsub();
        print(!!o.json, { ok: r.action !== 'conflict', ...r }, () =>
          L(`Resultado: ${r.action}`, `Result: ${r.action}`),
        );
        await svc.close();
        process.exit(r.action === 'conflict' ? EXIT.conflict : EXIT.ok);
      } catch (err) {
        unsub();
        await svc.close().catch(() => {});
        fail(!!o.json, err);
      }
    });
}

/** `test`: the connection test ("Probar Conexión") of the configured or given protocol. */
function addTestCommand(program: Command): void {
  program
    .command('test')
    .description('Prueba la conexión ("Probar Conexión") / test the connection')
    .addOption(new Option('--protocol <p>', 'protocolo a probar / protocol to test').choices([...PROTOCOLS]))
    .option('--json', 'salida JSON')
    .action(async (o: { json?: boolean; protocol?: Protocol }) => {
      const svc = await openService();
      const r = await svc.test(o.protocol);
      await svc.close();
      print(!!o.json, r, () => formatReport(r));
      process.exit(r.ok ? EXIT.ok : r.error?.code === 'CONFIG_INVALID' ? EXIT.config : EXIT.error);
    });
}

/** `status`: last good sync, time since, next run, conflict and last error. */
function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Estado: última sincronización correcta, tiempo transcurrido, próxima / status')
    .option('--json', 'salida JSON')
    .action(async (o: { json?: boolean }) => {
      const svc = await openService();
      const s = await svc.status();
      await svc.close();
      print(!!o.json, s, () =>
        [
          `${L('Estado', 'State')}: ${s.state}`,
          `${L('Protocolo', 'Protocol')}: ${s.protocol}${s.enabled ? '' : L(' (automática desactivada)', ' (automatic off)')}`,
          `${L('Última sincronización correcta', 'Last good sync')}: ${s.lastGoodSync ?? L('nunca', 'never')} (${ago(s.secondsSinceLastGoodSync)})`,
          `${L('Próxima', 'Next run')}: ${s.nextRun ?? L('— (el programador no está en marcha)', '— (scheduler not running)')}`,
          `${L('Versión remota', 'Remote version')}: ${s.remoteGeneration ?? '—'}`,
          `${L('Encriptación', 'Encryption')}: ${s.encryption}`,
          ...(s.conflict
            ? [
                L(
                  `¡CONFLICTO! Copia remota en ${s.conflict.copyPath}. Use: cordiax-sync resolve --keep local|remote`,
                  `CONFLICT! Remote copy at ${s.conflict.copyPath}. Use: cordiax-sync resolve --keep local|remote`,
                ),
              ]
            : []),
          ...(s.lastError
            ? [
                `${L('Último error', 'Last error')}: ${getLanguage() === 'en' ? s.lastError.message_en : s.lastError.message}`,
              ]
            : []),
          ...s.problems.map((p) => `  - ${p.key}: ${getLanguage() === 'en' ? p.text.en : p.text.es}`),
        ].join('\n'),
      );
      process.exit(
        s.state === 'error' || s.state === 'invalid-config'
          ? EXIT.error
          : s.state === 'conflict'
            ? EXIT.conflict
            : EXIT.ok,
      );
    });
}

/** `log`: the last events of the sync log, or follow it (`--follow`, like tail -f). */
function addLogCommand(program: Command): void {
  program
    .command('log')
    .description('Muestra el registro de sincronización / show the sync log')
    .option('--follow', 'sigue mostrando eventos nuevos / keep streaming')
    .option('--limit <n>', 'eventos a mostrar', '50')
    .option('--json', 'una línea JSON por evento')
    .action(async (o: { follow?: boolean; json?: boolean; limit: string }) => {
      const file = path.join(cordiaxHome(), 'logs', LOG_FILE_NAME);
      const show = (line: string) => {
        try {
          const e = JSON.parse(line) as SyncEvent;
          process.stdout.write(`${o.json ? JSON.stringify(e) : formatEvent(e)}\n`);
        } catch {
          /* torn line */
        }
      };
      let offset = 0;
      try {
        const text = await fsp.readFile(file, 'utf8');
        text.trim().split('\n').filter(Boolean).slice(-Number(o.limit)).forEach(show);
        offset = Buffer.byteLength(text);
      } catch {
        if (!o.follow) {
          process.stderr.write(L('El registro está vacío.\n', 'The log is empty.\n'));
          return;
        }
      }
      if (!o.follow) return;
      // Another process (start) writes the log: follow the file, like tail -f, handling rotation.
      let pending = '';
      const poll = async () => {
        const st = await fsp.stat(file).catch(() => null);
        if (!st) return;
        if (st.size < offset) offset = 0; // rotated
        if (st.size === offset) return;
        const stream = createReadStream(file, { start: offset, end: st.size - 1, encoding: 'utf8' });
        for await (const chunk of stream) pending += chunk as string;
        offset = st.size;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        lines.filter(Boolean).forEach(show);
      };
      watchFile(file, { interval: 300 }, () => void poll());
      process.on('SIGINT', () => {
        unwatchFile(file);
        process.exit(0);
      });
      await new Promise(() => {});
    });
}

/** `start`: automatic sync and the web interface until SIGINT/SIGTERM. */
function addStartCommand(program: Command): void {
  program
    .command('start')
    .description('Sincronización automática y la interfaz web / automatic sync and the web UI')
    .option('--no-ui', 'sin interfaz web')
    .option('--open', 'abre la interfaz en el navegador')
    .option('--port <n>', 'puerto de la interfaz (por defecto ui.port o 8484)')
    .option('--json', 'eventos como JSON')
    .action(async (o: { ui: boolean; open?: boolean; port?: string; json?: boolean }) => {
      const svc = await openService();
      svc.subscribe((e) => {
        if (e.type === 'progress' || e.level === 'debug') return;
        process.stdout.write(`${o.json ? JSON.stringify(e) : formatEvent(e)}\n`);
      });
      let ui: { url: string; close(): Promise<void> } | null = null;
      if (o.ui) {
        try {
          const mod = await import('../ui/server.js');
          const started = await mod.startUiServer(svc, {
            port: o.port !== undefined ? Number(o.port) : undefined,
            open: !!o.open,
          });
          ui = started;
          process.stdout.write(L(`Interfaz: ${started.url}\n`, `Interface: ${started.url}\n`));
        } catch (err) {
          process.stderr.write(
            L(
              `No se pudo iniciar la interfaz: ${(err as Error).message}\n`,
              `Could not start the interface: ${(err as Error).message}\n`,
            ),
          );
        }
      }
      const started = await svc.start().catch((err) => {
        process.stderr.write(`${toSyncError(err).describe()}\n`);
        return false;
      });
      if (!started && !ui) process.exit(EXIT.config);
      // The scheduler's timers are unref'd (so one-shot commands exit): this keeps `start` alive until a signal, even
      // without the UI server (`--no-ui` used to sync once and exit).
      const keepAlive = setInterval(() => {}, 1 << 30);
      const shutdown = async () => {
        clearInterval(keepAlive);
        await ui?.close().catch(() => {});
        await svc.close().catch(() => {});
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown());
      process.on('SIGTERM', () => void shutdown());
    });
}

/** `config get` and `config set` (secrets only from standard input, never echoed). */
function addConfigCommands(program: Command): void {
  const config = program
    .command('config')
    .description('Lee o cambia claves de la configuración / get or set config keys');
  config
    .command('get <key>')
    .option('--json', 'salida JSON')
    .action(async (key: string, o: { json?: boolean }) => {
      const r = await loadConfig(configPath());
      if (r.status === 'invalid')
        fail(
          !!o.json,
          new SyncError('CONFIG_INVALID', {
            es: 'La configuración no es válida (ver check-config).',
            en: 'The configuration is invalid (see check-config).',
          }),
        );
      const value = getKey(r.config as Record<string, unknown>, key);
      const last = key.split('.').pop() ?? key;
      // Passwords are never echoed: only whether one is set.
      const shown = isSecretKey(last) ? (typeof value === 'string' && value ? '***' : '') : value;
      print(!!o.json, { key, value: shown }, () =>
        shown === undefined ? '' : typeof shown === 'string' ? shown : JSON.stringify(shown),
      );
      process.exit(value === undefined ? EXIT.error : EXIT.ok);
    });
  config
    .command('set <key> [value]')
    .description(
      'Cambia una clave; para contraseñas use "-" y escríbala por la entrada estándar / for passwords use "-" and stdin',
    )
    .option('--json', 'salida JSON')
    .action(async (key: string, value: string | undefined, o: { json?: boolean }) => {
      try {
        const last = key.split('.').pop() ?? key;
        if (isSecretKey(last) && value !== undefined && value !== '-') {
          throw new SyncError('CONFIG_INVALID', {
            es: `Por seguridad, ${key} no se acepta como argumento (se vería en la lista de procesos). Use: cordiax-sync config set ${key} - y escríbala por la entrada estándar.`,
            en: `For safety, ${key} is not accepted as an argument (it would show in the process list). Use: cordiax-sync config set ${key} - and type it on standard input.`,
          });
        }
        if (value === undefined || value === '-')
          value = await readSecret(L(`Valor para ${key}: `, `Value for ${key}: `));
        const file = configPath();
        const r = await loadConfig(file);
        if (r.status === 'invalid')
          throw new SyncError('CONFIG_INVALID', {
            es: 'La configuración actual no es válida; corríjala antes (ver check-config). No se ha modificado.',
            en: 'The current configuration is invalid; fix it first (see check-config). It was not modified.',
          });
        const base = r.status === 'ok' ? r.raw : (r.config as Record<string, unknown>);
        const next = setKey(base, key, value, { raw: isSecretKey(last) });
        const svc = await openService();
        await svc.saveConfig(next, { keepEmptySecrets: false });
        await svc.close();
        print(!!o.json, { ok: true, key }, () => L(`${key} guardado.`, `${key} saved.`));
      } catch (err) {
        fail(!!o.json, err);
      }
    });
}

/** `resolve --keep local|remote`: ends a conflict. */
function addResolveCommand(program: Command): void {
  program
    .command('resolve')
    .description('Resuelve un conflicto / resolve a conflict')
    .addOption(new Option('--keep <side>', 'qué versión conservar').choices(['local', 'remote']).makeOptionMandatory())
    .option('--json', 'salida JSON')
    .action(async (o: { keep: 'local' | 'remote'; json?: boolean }) => {
      await withService(!!o.json, (svc) => svc.resolve(o.keep));
      print(!!o.json, { ok: true, keep: o.keep }, () =>
        L(
          `Conflicto resuelto: se conserva la versión ${o.keep === 'local' ? 'local' : 'remota'}.`,
          `Conflict resolved: kept the ${o.keep} version.`,
        ),
      );
    });
}

/** `versions`: the remote version history. */
function addVersionsCommand(program: Command): void {
  program
    .command('versions')
    .description('Historial de versiones remotas / remote version history')
    .option('--json', 'salida JSON')
    .action(async (o: { json?: boolean }) => {
      const v = await withService(!!o.json, (svc) => svc.versions());
      print(
        !!o.json,
        v.map((m) => ({
          generation: m.generation,
          time: m.time,
          device: m.device,
          size: m.size,
          encrypted: m.encrypted,
        })),
        () =>
          v
            .map((m) => `${m.generation}\t${m.time}\t${m.device}\t${m.size} B${m.encrypted ? '\tage' : ''}`)
            .join('\n') || L('Sin versiones.', 'No versions.'),
      );
    });
}

/** `restore <generation>`: a remote version into the local database, after a local backup. */
function addRestoreCommand(program: Command): void {
  program
    .command('restore <generation>')
    .description(
      'Restaura una versión remota en la base de datos local (con copia de seguridad previa) / restore a remote version',
    )
    .option('--json', 'salida JSON')
    .action(async (generation: string, o: { json?: boolean }) => {
      await withService(!!o.json, (svc) => svc.restoreVersion(Number(generation)));
      print(!!o.json, { ok: true, generation: Number(generation) }, () =>
        L(`Versión ${generation} restaurada.`, `Version ${generation} restored.`),
      );
    });
}

/** `keygen`: a new age identity (0600) and its public key. */
function addKeygenCommand(program: Command): void {
  program
    .command('keygen')
    .description('Crea una identidad age (clave privada 0600) e imprime su clave pública / create an age identity')
    .requiredOption('-o, --output <file>', 'archivo de la identidad')
    .option('--json', 'salida JSON')
    .action(async (o: { output: string; json?: boolean }) => {
      try {
        const id = generateX25519Identity();
        await fsp.writeFile(
          o.output,
          `# created: ${new Date().toISOString()}\n# public key: ${id.recipient}\n${id.identity}\n`,
          { mode: 0o600, flag: 'wx' },
        );
        print(
          !!o.json,
          { ok: true, recipient: id.recipient, identity_file: path.resolve(o.output) },
          () => id.recipient,
        );
      } catch (err) {
        fail(!!o.json, err);
      }
    });
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  registerServiceCommand(program);
  try {
    const server = await import('./commands/server.js');
    server.registerServerCommand(program);
  } catch {
    /* the sync server's dependencies are optional */
  }
  await program.parseAsync(argv);
}
