/** Calls to the UI's API (same origin, cookie auth) and the live event stream. */
import type { ApiError, SyncEvent, StreamHello } from '../api-types.js';

let csrf = document.querySelector<HTMLMetaElement>('meta[name="cordiax-csrf"]')?.content ?? '';

/** After a restart of the service the anti-forgery value is new: the event stream's hello brings it. */
export function setCsrf(value: string): void {
  if (value) csrf = value;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError['error'],
  ) {
    super(body.message);
  }
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: method === 'POST' ? { 'Content-Type': 'application/json', 'X-Cordiax-CSRF': csrf } : {},
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
  });
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (data as ApiError | null)?.error ?? {
      code: `HTTP_${res.status}`,
      message: `Error del servidor (${res.status}).`,
      message_en: `Server error (${res.status}).`,
    };
    throw new ApiFailure(res.status, err);
  }
  return data as T;
}

export const get = <T>(url: string) => call<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => call<T>('POST', url, body);

/** Why the event stream is down: the service does not answer, or it answers but this tab's session ended. */
export type LinkState = 'up' | 'down' | 'no-session';

/**
 * Follows the log stream. The browser reconnects by itself after a network error (sending Last-Event-ID), but gives
 * up for good on an HTTP error such as a 401: then this asks the status route what is wrong and opens a new stream
 * every few seconds, so a tab recovers as soon as its session works again (a login in another tab, a restart).
 */
export function followEvents(
  onEvent: (e: SyncEvent) => void,
  onHello: (h: StreamHello) => void,
  onLink: (state: LinkState) => void,
): () => void {
  let es: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    es = new EventSource('/api/events/stream');
    es.addEventListener('hello', (m) => {
      const hello = JSON.parse((m as MessageEvent<string>).data) as StreamHello;
      setCsrf(hello.csrf);
      onLink('up');
      onHello(hello);
    });
    es.addEventListener('log', (m) => onEvent(JSON.parse((m as MessageEvent<string>).data) as SyncEvent));
    es.addEventListener('error', () => {
      if (es?.readyState !== EventSource.CLOSED) return onLink('down');
      es = null;
      void fetch('/api/status', { credentials: 'same-origin' })
        .then((r) => onLink(r.status === 401 ? 'no-session' : 'down'))
        .catch(() => onLink('down'));
      retry = setTimeout(open, 5000);
    });
  };
  open();
  return () => {
    clearTimeout(retry);
    es?.close();
  };
}
