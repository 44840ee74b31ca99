/** The page's state, in one place; renderers read it, handlers change it and ask for a redraw. */
import type { ConnectionReport, PublicConfig, RemoteManifest, StatusReport, TransportView } from '../api-types.js';
import type { LinkState } from './client.js';
import type { Draft, Protocol } from './fields.js';

export interface Progress {
  phase: 'upload' | 'download';
  bytes: number;
  total?: number;
  bytesPerSecond?: number;
}

export const app = {
  /** The saved config (secrets blanked) and the form's working copy. */
  config: {} as PublicConfig,
  draft: {} as Draft,
  /** Secret fields the user asked to erase on the next save. */
  clear: new Set<string>(),
  /** Inline errors by dotted key. */
  errors: {} as Record<string, string>,
  status: null as StatusReport | null,
  device: '',
  minInterval: 60,
  maxInterval: 604800,
  version: '',
  /** The registered transports (tabs and fields), as their declarations describe them. */
  transports: [] as TransportView[],
  reports: {} as Partial<Record<Protocol, ConnectionReport>>,
  progress: null as Progress | null,
  busy: { sync: false, save: false, auto: false, resolve: false, sample: false, test: null as Protocol | null },
  versions: null as RemoteManifest[] | null,
  versionsError: '',
  versionsLoading: false,
  /** The event stream: 'up', 'down' (no answer) or 'no-session' (answers 401: this tab must log in again). */
  link: 'up' as LinkState,
  /** When the page noticed the service had restarted (a short notice says so). */
  reconnectedAt: 0,
  /** The protocol tab being looked at; null: the protocol in use. Looking never changes app.draft.protocol. */
  viewProtocol: null as Protocol | null,
};

/** Protocol in use (as the form would save it): changed only by the «Protocolo en uso» selector. */
export function draftProtocol(): Protocol {
  return (app.draft.protocol as Protocol) ?? 'webdav';
}

/** Protocol tab shown: the one being looked at, else the one in use. */
export function viewedProtocol(): Protocol {
  return app.viewProtocol ?? draftProtocol();
}

/** A transport's declared form, if the server registered it. */
export function transportView(p: Protocol): TransportView | undefined {
  return app.transports.find((t) => t.protocol === p);
}

/** A protocol's display name in the current language. */
export function protocolTitle(p: Protocol): { es: string; en: string } {
  return transportView(p)?.title ?? { en: p, es: p };
}
