/**
 * `cordiax-sync service install|uninstall|status`: runs `start --no-ui` in the background at login as a systemd user
 * unit, the way a small office runs it on the PC that is always on. On Windows (where most Cordiax users are) the
 * README gives the Task Scheduler steps instead: there is no user-level service manager to drive from here.
 *
 * The unit holds no secret: passwords stay in the 0600 config file, and the unit runs the same node binary and CLI
 * script as the command that installed it, so an upgrade of the package is picked up on the next start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { getLanguage } from '../../errors.js';

const UNIT_NAME = 'cordiax-sync.service';

function say(es: string, en: string): void {
  process.stdout.write(`${getLanguage() === 'en' ? en : es}\n`);
}

function unitDir(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'systemd', 'user');
}

/** The CLI entry this process runs (bin/cordiax-sync.js), found from this file's place in dist/cli/commands/. */
function cliScript(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'cordiax-sync.js');
}

/** systemd's quoting: every argument in double quotes, with backslash, quote, % and $ escaped. */
function quote(arg: string): string {
  return `"${arg.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

function unitText(opts: { node: string; script: string; home?: string; ui: boolean }): string {
  const env = opts.home ? `Environment=${quote(`CORDIAX_HOME=${opts.home}`)}\n` : '';
  return (
    '[Unit]\n' +
    'Description=Cordiax Sync: sincronización automática de la base de datos de Cordiax\n' +
    'After=network-online.target\n\n' +
    '[Service]\n' +
    'Type=simple\n' +
    env +
    `ExecStart=${[opts.node, opts.script, 'start', ...(opts.ui ? [] : ['--no-ui'])].map(quote).join(' ')}\n` +
    // A fatal error (invalid config) exits 2: restarting would only repeat it; anything else is retried.
    'Restart=on-failure\n' +
    'RestartPreventExitStatus=2\n' +
    'RestartSec=30\n\n' +
    '[Install]\n' +
    'WantedBy=default.target\n'
  );
}

function systemctl(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8' });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

export function registerServiceCommand(program: Command): void {
  const service = program
    .command('service')
    .description('Sincronización en segundo plano al iniciar sesión (systemd) / background sync at login (systemd)');

  service
    .command('install')
    .description('instala y arranca el servicio de usuario / installs and starts the user service')
    .option('--no-enable', 'solo escribe el archivo de la unidad / only writes the unit file')
    .option(
      '--ui',
      'con la interfaz web en 127.0.0.1 (entrar con "cordiax-sync open") / with the web UI on 127.0.0.1 (get in with "cordiax-sync open")',
    )
    .action((o: { enable: boolean; ui?: boolean }) => {
      const dir = unitDir();
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, UNIT_NAME);
      const text = unitText({
        node: process.execPath,
        script: cliScript(),
        home: process.env.CORDIAX_HOME,
        ui: !!o.ui,
      });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, text, { mode: 0o644 });
      renameSync(tmp, file);
      say(`Unidad escrita: ${file}`, `Unit written: ${file}`);
      if (!o.enable) return;
      const reload = systemctl('daemon-reload');
      const enable = reload.ok ? systemctl('enable', '--now', UNIT_NAME) : reload;
      if (!enable.ok) {
        say(
          `No se pudo activar con systemctl --user (${enable.out || 'sin respuesta'}). Actívelo con: systemctl --user enable --now ${UNIT_NAME}`,
          `Could not enable it with systemctl --user (${enable.out || 'no answer'}). Enable it with: systemctl --user enable --now ${UNIT_NAME}`,
        );
        process.exitCode = 1;
        return;
      }
      say(
        'Servicio activo: sincroniza en segundo plano y arranca al iniciar sesión.',
        'Service active: it syncs in the background and starts at login.',
      );
    });

  service
    .command('uninstall')
    .description('detiene y quita el servicio / stops and removes the service')
    .action(() => {
      const file = path.join(unitDir(), UNIT_NAME);
      systemctl('disable', '--now', UNIT_NAME);
      if (existsSync(file)) rmSync(file);
      systemctl('daemon-reload');
      say(`Servicio quitado (${file}).`, `Service removed (${file}).`);
    });

  service
    .command('status')
    .description('dice si el servicio está instalado y activo / tells whether the service is installed and running')
    .action(() => {
      const file = path.join(unitDir(), UNIT_NAME);
      if (!existsSync(file)) {
        say('El servicio no está instalado.', 'The service is not installed.');
        process.exitCode = 3;
        return;
      }
      const execLine = readFileSync(file, 'utf8').match(/^ExecStart=(.*)$/m)?.[1] ?? '';
      const active = systemctl('is-active', UNIT_NAME);
      say(
        `Instalado: ${file}\nOrden: ${execLine}\nEstado: ${active.ok ? 'activo' : `inactivo (${active.out || 'systemd no responde'})`}`,
        `Installed: ${file}\nCommand: ${execLine}\nState: ${active.ok ? 'active' : `inactive (${active.out || 'systemd does not answer'})`}`,
      );
      if (!active.ok) process.exitCode = 3;
    });
}
