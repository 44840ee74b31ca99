/**
 * The `cordiax-sync` command: a thin shell over SyncService. Every command accepts --json and exits non-zero on
 * failure (1 = error, 2 = invalid config or usage, 3 = conflict waiting for the user).
 */
import { registerOpenCommand } from './commands/open.js';
import { registerServiceCommand } from './commands/service.js';
import { registerUiCommand } from './commands/ui.js';
import { Command, Option } from 'commander';
import { createReadStream, promises as fsp, watchFile, unwatchFile } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SyncService } from '../service.js';
import type { ConflictView } from '../conflict/resolution.js';
import type { SideChanges } from '../conflict/diff.js';
import { setLanguage, getLanguage, t, toSyncError, SyncError, type Language } from '../errors.js';
import { configPath, getKey, loadConfig, setKey } from '../config/store.js';
import { cordiaxHome, PROTOCOLS, type Protocol } from '../config/schema.js';
import { isSecretKey, redact } from '../log/redact.js';
import { LOG_FILE_NAME } from '../log/event-log.js';
import { generateX25519Identity } from '../crypto/index.js';
import type { SyncEvent } from '../log/events.js';
import type { ConnectionReport } from '../transports/types.js';
import { bilingual, msg, protocolName } from '../messages/index.js';

/** cancelled: 130, what a shell reports for a command stopped by Ctrl-C. */
const EXIT = { ok: 0, error: 1, config: 2, conflict: 3, cancelled: 130 } as const;

function print(json: boolean, data: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(redact(data), null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

function fail(json: boolean, err: unknown): never {
  const e = toSyncError(err);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: e.toJSON() }, null, 2)}\n`);
  else process.stderr.write(`${t(msg('common.error'))}: ${e.describe()}\n`);
  process.exit(
    e.code === 'CONFIG_INVALID' || e.code === 'CONFIG_PARSE'
      ? EXIT.config
      : e.code === 'CONFLICT'
        ? EXIT.conflict
        : EXIT.error,
  );
}

function ago(seconds: number | null): string {
  if (seconds === null) return t(msg('cli.never'));
  if (seconds < 90) return t(msg('cli.s_ago', { seconds }));
  if (seconds < 5400) return t(msg('cli.min_ago', { seconds: Math.round(seconds / 60) }));
  if (seconds < 172800) return t(msg('cli.h_ago', { seconds: Math.round(seconds / 3600) }));
  return t(msg('cli.days_ago', { seconds: Math.round(seconds / 86400) }));
}

export function formatEvent(e: SyncEvent): string {
  const message = getLanguage() === 'en' ? e.message_en : e.message;
  const lvl = { debug: '·', info: 'i', warn: '!', error: 'X' }[e.level];
  return `${e.time.replace('T', ' ').replace(/\.\d+Z$/, '')} ${lvl} ${message}`;
}

export function formatReport(r: ConnectionReport): string {
  const lines = r.steps.map(
    (s) => `  ${s.skipped ? '-' : s.ok ? '✓' : '✗'} ${t(s.text)}${!s.ok && s.hint ? `\n      → ${t(s.hint)}` : ''}`,
  );
  const facts = Object.entries(r.facts).map(([k, v]) => `  ${k}: ${String(v)}`);
  const head = r.ok
    ? t(msg('cli.connection_ok', { protocol: protocolName(r.protocol) }))
    : t(msg('cli.connection_failed', { protocol: protocolName(r.protocol) }));
  const err = r.error
    ? `\n${getLanguage() === 'en' ? r.error.message_en : r.error.message}${r.error.hint ? `\n→ ${getLanguage() === 'en' ? r.error.hint_en : r.error.hint}` : ''}`
    : '';
  return [head, ...lines, ...(facts.length ? [t(msg('cli.server_facts')), ...facts] : [])].join('\n') + err;
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
  // Opening can refuse too (an unsafe $CORDIAX_HOME): the same message, hint and exit code as any failure.
  const svc = await openService().catch((err: unknown) => fail(json, err));
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
  addEncryptNowCommand(program);
  addRemoteAnswerCommand(program);
  addVersionsCommand(program);
  addRestoreCommand(program);
  addKeygenCommand(program);
  return program;
}

function rootCommand(): Command {
  const program = new Command();
  program
    .name('cordiax-sync')
    .description(bilingual(msg('cli.help.syncs_cordiax_database')))
    .addOption(new Option('--lang <lang>', bilingual(msg('cli.help.message_language'))).choices(['es', 'en']))
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
    .description(bilingual(msg('cli.help.validate_config_print_every')))
    .option('--json', bilingual(msg('cli.help.json_output')))
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
          const head = r.status === 'missing' ? t(msg('cli.not_exist_using_defaults', { file })) : '';
          const lines = problems.map((p) => `  - ${p.key}: ${t(p.text)}`);
          return [head, ok ? t(msg('cli.configuration_ok')) : t(msg('cli.problems', { file })), ...lines]
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
    .description(bilingual(msg('cli.help.sync_now')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (o: { json?: boolean }) => {
      const svc = await openService();
      // Each phase once ("Preparando copia", "Comprobando la copia en el servidor"...), not every tick.
      let phase = '';
      const show = (e: SyncEvent) => {
        if (e.type === 'progress') {
          const p = (e.data as { phase?: string } | undefined)?.phase ?? '';
          if (p === phase) return;
          phase = p;
        } else if (e.level === 'debug') return;
        process.stderr.write(`${formatEvent(e)}\n`);
      };
      const unsub = o.json ? () => {} : svc.subscribe(show);
      // Ctrl-C is Cancelar: the sync stops with nothing changed, unless it is already publishing (then it finishes;
      // a second Ctrl-C kills the process, and the commit protocol recovers on the next sync).
      const onInterrupt = () => {
        const a = svc.cancel();
        if (!a.ok) process.stderr.write(`${t(a.reason)}\n`);
      };
      process.once('SIGINT', onInterrupt);
      try {
        const r = await svc.syncNow();
        process.off('SIGINT', onInterrupt);
        unsub();
        const waiting = r.action === 'conflict' || r.action === 'question';
        print(!!o.json, { ok: !waiting, ...r }, () => t(msg('cli.result', { action: r.action })));
        await svc.close();
        process.exit(waiting ? EXIT.conflict : r.action === 'cancelled' ? EXIT.cancelled : EXIT.ok);
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
    .description(bilingual(msg('cli.help.test_connection')))
    .addOption(new Option('--protocol <p>', bilingual(msg('cli.help.protocol_test'))).choices([...PROTOCOLS]))
    .option('--json', bilingual(msg('cli.help.json_output')))
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
    .description(bilingual(msg('cli.help.status')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (o: { json?: boolean }) => {
      const svc = await openService();
      const s = await svc.status();
      await svc.close();
      print(!!o.json, s, () =>
        [
          `${t(msg('cli.state'))}: ${s.state}`,
          `${t(msg('common.protocol'))}: ${s.protocol}${s.enabled ? '' : t(msg('cli.automatic_off'))}`,
          `${t(msg('common.last_good_sync'))}: ${s.lastGoodSync ?? t(msg('cli.never'))} (${ago(s.secondsSinceLastGoodSync)})`,
          `${t(msg('cli.next_run'))}: ${
            s.blockedBy ? t(msg(`truth.stopped_${s.blockedBy}`)) : (s.nextRun ?? t(msg('cli.scheduler_not_running')))
          }`,
          `${t(msg('common.remote_version'))}: ${s.remoteGeneration ?? '—'}`,
          `${t(msg('common.encryption'))}: ${s.encryption}`,
          ...(s.conflict ? [t(msg('cli.conflict_remote_copy_use', { copyPath: s.conflict.copyPath }))] : []),
          ...(s.question
            ? [
                t(
                  msg('identity.cli.question', {
                    found: s.question.foundRemoteId.slice(0, 8),
                    generation: s.question.foundGeneration,
                    device: s.question.foundDevice,
                    previous: s.question.previousRemoteId.slice(0, 8),
                    address: s.question.previousTarget,
                  }),
                ),
              ]
            : []),
          ...(s.lastError
            ? [
                `${t(msg('common.last_error'))}: ${getLanguage() === 'en' ? s.lastError.message_en : s.lastError.message}`,
              ]
            : []),
          ...s.problems.map((p) => `  - ${p.key}: ${t(p.text)}`),
        ].join('\n'),
      );
      process.exit(
        s.state === 'error' || s.state === 'invalid-config'
          ? EXIT.error
          : s.state === 'conflict' || s.state === 'question'
            ? EXIT.conflict
            : EXIT.ok,
      );
    });
}

/** `log`: the last events of the sync log, or follow it (`--follow`, like tail -f). */
function addLogCommand(program: Command): void {
  program
    .command('log')
    .description(bilingual(msg('cli.help.show_sync_log')))
    .option('--follow', bilingual(msg('cli.help.keep_streaming')))
    .option('--limit <n>', bilingual(msg('cli.help.events_show')), '50')
    .option('--json', bilingual(msg('cli.help.one_json_line_per')))
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
          process.stderr.write(t(msg('cli.log_empty')));
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
    .description(bilingual(msg('cli.help.automatic_sync_web_ui')))
    .option('--no-ui', bilingual(msg('cli.help.without_web_ui')))
    .option('--open', bilingual(msg('cli.help.open_ui_browser')))
    .option('--port <n>', bilingual(msg('cli.help.ui_port_default_ui')))
    .option('--json', bilingual(msg('cli.help.events_json')))
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
            // The printed address works once: when it has been used, the next one is printed.
            onLoginUrl: (url) => process.stdout.write(t(msg('cli.interface', { url }))),
          });
          ui = started;
          process.stdout.write(t(msg('cli.interface', { url: started.url })));
        } catch (err) {
          process.stderr.write(t(msg('cli.could_not_start_interface', { message: (err as Error).message })));
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
  const config = program.command('config').description(bilingual(msg('cli.help.get_set_config_keys')));
  config
    .command('get <key>')
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (key: string, o: { json?: boolean }) => {
      const r = await loadConfig(configPath());
      if (r.status === 'invalid')
        fail(!!o.json, new SyncError('CONFIG_INVALID', msg('cli.configuration_invalid_see_check')));
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
    .description(bilingual(msg('cli.help.passwords_use_stdin')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (key: string, value: string | undefined, o: { json?: boolean }) => {
      try {
        const last = key.split('.').pop() ?? key;
        if (isSecretKey(last) && value !== undefined && value !== '-') {
          throw new SyncError('CONFIG_INVALID', msg('cli.safety_not_accepted_argument_would', { key }));
        }
        if (value === undefined || value === '-') value = await readSecret(t(msg('cli.value', { key })));
        const file = configPath();
        const r = await loadConfig(file);
        if (r.status === 'invalid') throw new SyncError('CONFIG_INVALID', msg('cli.current_configuration_invalid_fix'));
        const base = r.status === 'ok' ? r.raw : (r.config as Record<string, unknown>);
        const next = setKey(base, key, value, { raw: isSecretKey(last) });
        const svc = await openService();
        // A stored password belongs to the server it was saved for: a new address leaves it behind.
        const forgotten = isSecretKey(last) ? [] : svc.forgetSecretsForNewDestinations(next);
        await svc.saveConfig(next, { keepEmptySecrets: false });
        await svc.close();
        for (const field of forgotten) process.stderr.write(t(msg('cli.secret_forgotten_new_server', { field })));
        print(!!o.json, { ok: true, key, forgotten }, () => t(msg('cli.saved', { key })));
      } catch (err) {
        fail(!!o.json, err);
      }
    });
}

/**
 * `resolve --keep both|local|remote`, `resolve --merge`, `resolve --undo`, `resolve --show`: decides a conflict
 * (src/conflict). Replacing the live database (remote, merge) asks first, or needs --yes when nobody can answer.
 */
function addResolveCommand(program: Command): void {
  program
    .command('resolve')
    .description(bilingual(msg('cli.help.resolve_conflict')))
    .addOption(
      new Option('--keep <side>', bilingual(msg('cli.help.which_version_keep'))).choices(['both', 'local', 'remote']),
    )
    .option('--merge', bilingual(msg('conflict.cli_help_merge')))
    .option('--undo', bilingual(msg('conflict.cli_help_undo')))
    .option('--show', bilingual(msg('conflict.cli_help_show')))
    .option('-y, --yes', bilingual(msg('conflict.cli_help_yes')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(
      async (o: {
        keep?: 'both' | 'local' | 'remote';
        merge?: boolean;
        undo?: boolean;
        show?: boolean;
        yes?: boolean;
        json?: boolean;
      }) => {
        const json = !!o.json;
        const picked = [o.keep, o.merge, o.undo, o.show].filter((x) => x !== undefined).length;
        if (picked !== 1) fail(json, new SyncError('CONFIG_INVALID', msg('conflict.cli_pick_one')));
        if (o.show) {
          const v = await withService(json, (svc) => svc.conflict());
          print(json, v, () => (v ? conflictSummary(v) : t(msg('engine.there_no_pending_conflict'))));
          return;
        }
        if (o.undo) {
          const r = await withService(json, (svc) => svc.undoConflict());
          print(json, { ok: true, ...r }, () => t(msg('conflict.cli_undone', { backup: r.backupPath ?? '—' })));
          return;
        }
        const choice = o.merge ? 'merge' : o.keep!;
        let confirm = !!o.yes;
        if ((choice === 'remote' || choice === 'merge') && !confirm && process.stdin.isTTY && !json)
          confirm = await askYesNo(
            t(msg(choice === 'merge' ? 'conflict.cli_confirm_merge' : 'conflict.cli_confirm_remote')),
          );
        const r = await withService(json, (svc) => svc.resolve(choice, { confirm }));
        print(json, { ok: true, keep: choice, ...r }, () =>
          [
            t(msg(RESOLVED[choice])),
            r.backupPath ? t(msg('conflict.cli_backup_at', { path: r.backupPath })) : '',
            r.copyPath ? t(msg('conflict.cli_copy_at', { path: r.copyPath })) : '',
            t(msg('conflict.cli_undo_hint')),
          ]
            .filter(Boolean)
            .join('\n'),
        );
      },
    );
}

/**
 * `encrypt-now`: the UI's "Cifrar ahora" (SyncService.encryptNow): an encrypted version of the current database is
 * published, then the server's unencrypted versions are deleted. Asks first, or needs --yes when nobody can answer.
 */
function addEncryptNowCommand(program: Command): void {
  program
    .command('encrypt-now')
    .description(bilingual(msg('truth.cli_help_encrypt_now')))
    .option('-y, --yes', bilingual(msg('conflict.cli_help_yes')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (o: { yes?: boolean; json?: boolean }) => {
      const json = !!o.json;
      let confirm = !!o.yes;
      if (!confirm && process.stdin.isTTY && !json)
        confirm = await askYesNo(
          `${t(msg('truth.encrypt_now_confirm_title'))}\n${t(msg('truth.encrypt_now_confirm_text'))}`,
        );
      if (!confirm) fail(json, new SyncError('CONFIG_INVALID', msg('truth.cli_encrypt_now_needs_yes')));
      const r = await withService(json, (svc) => svc.encryptNow());
      print(json, { ok: true, generation: r.outcome.generation, left: r.left }, () =>
        t(msg('truth.encrypt_now_done_text', { generation: r.outcome.generation ?? '?' })),
      );
    });
}

const RESOLVED = {
  both: 'conflict.cli_resolved_both',
  local: 'conflict.cli_resolved_local',
  remote: 'conflict.cli_resolved_remote',
  merge: 'conflict.cli_resolved_merge',
} as const;

/** "¿…? [s/N]": yes only for s/sí/y/yes. */
async function askYesNo(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(`${question} [s/N] `, resolve));
  rl.close();
  return /^(s|si|sí|y|yes)$/i.test(answer.trim());
}

/** The conflict diff as lines: per table, what each side changed against the base. */
function conflictSummary(v: ConflictView): string {
  const side = (c: SideChanges | null) => (c ? `+${c.added} ~${c.changed} -${c.deleted}` : '·');
  const lines = [
    t(msg('conflict.cli_summary_head', { device: v.conflict.remoteDevice, copy: v.conflict.copyPath })),
    v.diff
      ? t(msg(v.diff.mode === 'two-way' ? 'conflict.cli_two_way' : 'conflict.cli_three_way'))
      : t(msg('conflict.cli_no_diff')),
    ...(v.diff?.tables ?? []).map(
      (x) => `  ${x.table}: ${t(msg('conflict.cli_table_sides', { local: side(x.local), remote: side(x.remote) }))}`,
    ),
    v.merge ? t(msg('conflict.cli_merge_offered', { rows: v.merge.totalRows })) : '',
  ];
  return lines.filter(Boolean).join('\n');
}

/** `remote-answer --use-new|--go-back`: answers "¿Es el mismo servidor?" (see `status`). */
function addRemoteAnswerCommand(program: Command): void {
  program
    .command('remote-answer')
    .description(bilingual(msg('identity.cli.help')))
    .option('--use-new', bilingual(msg('identity.cli.help_use_new')))
    .option('--go-back', bilingual(msg('identity.cli.help_go_back')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (o: { useNew?: boolean; goBack?: boolean; json?: boolean }) => {
      if (!!o.useNew === !!o.goBack) fail(!!o.json, new SyncError('CONFIG_INVALID', msg('identity.cli.answer_or')));
      const r = await withService(!!o.json, (svc) => svc.answerRemoteQuestion(o.useNew ? 'use-new' : 'go-back'));
      print(!!o.json, { ok: r?.action !== 'conflict', outcome: r }, () =>
        r ? t(msg('cli.result', { action: r.action })) : t(msg('identity.ui.answered')),
      );
      process.exit(r?.action === 'conflict' || r?.action === 'question' ? EXIT.conflict : EXIT.ok);
    });
}

/** `versions`: the remote version history. */
function addVersionsCommand(program: Command): void {
  program
    .command('versions')
    .description(bilingual(msg('cli.help.remote_version_history')))
    .option('--json', bilingual(msg('cli.help.json_output')))
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
            .join('\n') || t(msg('cli.no_versions')),
      );
    });
}

/** `restore <generation>`: a remote version into the local database, after a local backup. */
function addRestoreCommand(program: Command): void {
  program
    .command('restore <generation>')
    .description(bilingual(msg('cli.help.restore_remote_version')))
    .option('--json', bilingual(msg('cli.help.json_output')))
    .action(async (generation: string, o: { json?: boolean }) => {
      await withService(!!o.json, (svc) => svc.restoreVersion(Number(generation)));
      print(!!o.json, { ok: true, generation: Number(generation) }, () =>
        t(msg('cli.version_restored', { generation })),
      );
    });
}

/** `keygen`: a new age identity (0600) and its public key. */
function addKeygenCommand(program: Command): void {
  program
    .command('keygen')
    .description(bilingual(msg('cli.help.create_age_identity')))
    .requiredOption('-o, --output <file>', bilingual(msg('cli.help.identity_file')))
    .option('--json', bilingual(msg('cli.help.json_output')))
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
  registerOpenCommand(program, (err) => fail(false, err));
  registerUiCommand(program);
  try {
    const server = await import('./commands/server.js');
    server.registerServerCommand(program);
  } catch {
    /* the sync server's dependencies are optional */
  }
  await program.parseAsync(argv);
}
