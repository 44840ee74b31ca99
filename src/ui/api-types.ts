/**
 * What the UI's HTTP API sends and receives: shared by the server (src/ui/api.ts) and the page (src/ui/web), so the
 * two cannot drift. Types only.
 */
import type { StatusReport } from '../service.js';
import type { ConnectionReport, RemoteManifest } from '../transports/types.js';
import type { SyncEvent } from '../log/events.js';
import type { SyncOutcome } from '../engine/engine.js';
import type { Protocol } from '../transports/registry.js';
import type { Bilingual, FormField, TransportView } from '../transports/form.js';
import type { ReadinessProblem } from '../config/readiness.js';

export type { StatusReport, ConnectionReport, RemoteManifest, SyncEvent, SyncOutcome, Protocol };
export type { Bilingual, FormField, TransportView, ReadinessProblem };

export interface BiText {
  es: string;
  en: string;
}

/** The config as the page sees it: secrets blanked, `<field>_set` flags (SyncService.publicConfig()). */
export type PublicConfig = Record<string, unknown> & {
  protocol: string;
  enabled: boolean;
  polling_interval: number;
  language?: 'es' | 'en';
};

/** GET /api/state: everything the first paint needs. */
export interface StateResponse {
  config: PublicConfig;
  status: StatusReport;
  /** This machine's name as the sync uses it (for the conflict card). */
  device: string;
  minInterval: number;
  maxInterval: number;
  version: string;
  /** The registered transports as their declarations describe them: the form's protocol tabs and fields. */
  transports: TransportView[];
}

/** An error answer (any 4xx/5xx from /api). */
export interface ApiError {
  error: {
    code: string;
    message: string;
    message_en: string;
    hint?: string;
    hint_en?: string;
    /** Config problems by dotted key, for inline display. */
    problems?: Array<{ key: string; text: BiText }>;
  };
}

/** POST /api/config and POST /api/test: the form; secrets left '' keep the stored value unless listed in `clear`. */
export interface ConfigRequest {
  config: Record<string, unknown>;
  /** Secret fields to erase, e.g. ['webdav.password']. */
  clear?: string[];
}

export interface SaveResponse {
  config: PublicConfig;
  status: StatusReport;
  /** What still keeps the saved config from syncing, on its field (empty: ready). */
  readiness?: ReadinessProblem[];
  /** Where an unusable config file was kept before being replaced, if it was. */
  invalidBackup?: string;
}

export interface EncryptNowResponse {
  /** The encrypted version committed (null: the server held nothing). */
  generation: number | null;
  status: StatusReport;
}

export interface KeygenResponse {
  identityFile: string;
  recipient: string;
}

export interface PassphraseResponse {
  /** Where the passphrase was written (the key is not named "passphrase…": the answer's redaction would mask it). */
  file: string;
}

export interface SampleDbResponse {
  path: string;
  status: StatusReport;
}

/** First message of the event stream: lets the page tell a restarted server (ids start again) from a reconnect. */
export interface StreamHello {
  instance: string;
  /** This start's anti-forgery value (a page that outlived a restart must send the new one). */
  csrf: string;
}
