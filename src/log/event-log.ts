/**
 * The sync log: an in-memory ring buffer for live subscribers (CLI `log --follow`, the UI) and a rotating JSONL file
 * under `$CORDIAX_HOME/logs/`. Every event is redacted here, the one place all events pass through.
 */
import {
  closeSync,
  constants as fsc,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
  chmodSync,
} from 'node:fs';
import path from 'node:path';
import { defaultLevel, type EventInput, type Logger, type SyncEvent } from './events.js';
import { redact, redactString } from './redact.js';
import { ensurePrivateDir } from '../util/private-dir.js';

/** The log file is never opened through a symbolic link (one planted there would send our log elsewhere). */
const APPEND_NOFOLLOW = fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;

export interface EventLogOptions {
  /** Folder for the JSONL files; no file log when omitted. */
  dir?: string;
  /** Events kept in memory. */
  capacity?: number;
  /** Rotate when the current file passes this size. */
  maxFileBytes?: number;
  /** Rotated files kept (events.1.jsonl ... events.N.jsonl). */
  maxFiles?: number;
}

export const LOG_FILE_NAME = 'events.jsonl';

export class EventLog implements Logger {
  private readonly buffer: SyncEvent[] = [];
  private readonly listeners = new Set<(e: SyncEvent) => void>();
  private nextId = 1;
  private readonly capacity: number;
  private readonly file?: string;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;

  constructor(opts: EventLogOptions = {}) {
    this.capacity = opts.capacity ?? 1000;
    this.maxFileBytes = opts.maxFileBytes ?? 5 * 1024 * 1024;
    this.maxFiles = opts.maxFiles ?? 5;
    if (opts.dir) {
      // A private folder of ours (0700, not a link, not writable by others), or a clear refusal.
      ensurePrivateDir(opts.dir, { recursive: true });
      this.file = path.join(opts.dir, LOG_FILE_NAME);
      this.loadTail();
    }
  }

  /** Seeds the ring buffer with the end of the file log so a restart (or a UI reload) shows recent history. */
  private loadTail(): void {
    if (!this.file || !existsSync(this.file)) return;
    try {
      const fd = openSync(this.file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      let text: string;
      try {
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
      const lines = text.trim().split('\n').slice(-200);
      for (const line of lines) {
        try {
          const e = JSON.parse(line) as SyncEvent;
          e.id = this.nextId++;
          this.buffer.push(e);
        } catch {
          /* a torn last line after a crash: skip it */
        }
      }
    } catch {
      /* unreadable log: start empty */
    }
  }

  emit(input: EventInput): void {
    const event: SyncEvent = {
      id: this.nextId++,
      time: new Date().toISOString(),
      level: input.level ?? defaultLevel(input.type),
      type: input.type,
      ...(input.code ? { code: input.code } : {}),
      message: redactString(input.text.es),
      message_en: redactString(input.text.en),
      ...(input.protocol ? { protocol: input.protocol } : {}),
      ...(input.data ? { data: redact(input.data) } : {}),
    };
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    // Progress events are for live views only: they would flood the file.
    if (this.file && event.type !== 'progress') this.append(event);
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        /* a broken subscriber must not break logging */
      }
    }
  }

  private append(event: SyncEvent): void {
    try {
      if (existsSync(this.file!) && statSync(this.file!).size > this.maxFileBytes) this.rotate();
      const fd = openSync(this.file!, APPEND_NOFOLLOW, 0o600);
      try {
        // Only a regular file of ours: never a FIFO, a device or another user's file.
        const st = fstatSync(fd);
        if (!st.isFile() || (st.uid !== process.getuid?.() && st.uid !== 0)) return;
        writeSync(fd, `${JSON.stringify(event)}\n`);
      } finally {
        closeSync(fd);
      }
    } catch {
      /* a full disk must not stop the sync from reporting in memory */
    }
  }

  private rotate(): void {
    const f = this.file!;
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      const from = i === 1 ? f : f.replace(/\.jsonl$/, `.${i - 1}.jsonl`);
      const to = f.replace(/\.jsonl$/, `.${i}.jsonl`);
      if (existsSync(from)) renameSync(from, to);
    }
    if (existsSync(f)) renameSync(f, f.replace(/\.jsonl$/, '.1.jsonl'));
    try {
      chmodSync(path.dirname(f), 0o700);
    } catch {
      /* best effort */
    }
  }

  /** Recent events, oldest first; `afterId` returns only newer ones. */
  recent(limit = 200, afterId = 0): SyncEvent[] {
    const list = afterId ? this.buffer.filter((e) => e.id > afterId) : this.buffer;
    return list.slice(-limit);
  }

  subscribe(listener: (e: SyncEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get filePath(): string | undefined {
    return this.file;
  }
}
