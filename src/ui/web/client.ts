/** Calls to the UI's API (same origin, cookie auth) and the live event stream. */
import type { ApiError, SyncEvent, StreamHello } from '../api-types.js';

const csrf = document.querySelector<HTMLMetaElement>('meta[name="cordiax-csrf"]')?.content ?? '';

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

/** Follows the log stream; the browser reconnects by itself and sends Last-Event-ID. */
export function followEvents(
  onEvent: (e: SyncEvent) => void,
  onHello: (h: StreamHello) => void,
  onLink: (up: boolean) => void,
): () => void {
  const es = new EventSource('/api/events/stream');
  es.addEventListener('hello', (m) => {
    onLink(true);
    onHello(JSON.parse((m as MessageEvent<string>).data) as StreamHello);
  });
  es.addEventListener('log', (m) => onEvent(JSON.parse((m as MessageEvent<string>).data) as SyncEvent));
  es.addEventListener('error', () => onLink(false));
  return () => es.close();
}
