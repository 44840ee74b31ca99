/**
 * A small, tolerant reader for WebDAV multistatus answers. Elements are matched by local name (whatever the prefix),
 * which is what real servers need (d:, D:, a default namespace...). Scanning only moves forward, so a hostile or
 * truncated body costs linear time and ends in "no entries", never a crash.
 */

export interface DavResponse {
  /** Decoded URL path of the resource (percent-decoding applied), as the server wrote it. */
  href: string;
  /** Properties from the propstat blocks with a 2xx status, by local name: inner XML text. */
  props: Map<string, string>;
}

const NAME = '(?:[A-Za-z_][\\w.-]*:)?';

/** Inner texts of every `<name>` element (any prefix) in `xml`, in order. Self-closing elements give ''. */
function elements(xml: string, localName: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<${NAME}${localName}(?=[\\s/>])[^>]*>`, 'g');
  const close = new RegExp(`</${NAME}${localName}\\s*>`, 'g');
  for (;;) {
    const m = open.exec(xml);
    if (m === null) break;
    if (m[0].endsWith('/>')) {
      out.push('');
      continue;
    }
    close.lastIndex = open.lastIndex;
    const c = close.exec(xml);
    if (!c) break; // truncated: stop here
    out.push(xml.slice(open.lastIndex, c.index));
    open.lastIndex = close.lastIndex;
  }
  return out;
}

export function first(xml: string, localName: string): string | undefined {
  return elements(xml, localName)[0];
}

function decodeEntities(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
      const l = e.toLowerCase();
      if (l === 'amp') return '&';
      if (l === 'lt') return '<';
      if (l === 'gt') return '>';
      if (l === 'quot') return '"';
      if (l === 'apos') return "'";
      const n = l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
    });
}

/** The URL path of an href (absolute URL or path), percent-decoded; undefined if it cannot be decoded. */
export function hrefPath(raw: string): string | undefined {
  let s = decodeEntities(raw).trim();
  const abs = /^https?:\/\/[^/]*(\/.*)?$/i.exec(s);
  if (abs) s = abs[1] ?? '/';
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

const PROPS = ['getcontentlength', 'getlastmodified', 'getetag', 'resourcetype', 'current-user-principal'];

export function parseMultistatus(xml: string): DavResponse[] {
  const out: DavResponse[] = [];
  for (const resp of elements(xml, 'response')) {
    const hrefRaw = first(resp, 'href');
    const href = hrefRaw === undefined ? undefined : hrefPath(hrefRaw);
    if (href === undefined) continue;
    const props = new Map<string, string>();
    for (const ps of elements(resp, 'propstat')) {
      const status = first(ps, 'status') ?? '';
      if (!/^\s*HTTP\/\d(\.\d)?\s+2\d\d/i.test(status)) continue;
      const prop = first(ps, 'prop') ?? '';
      for (const name of PROPS) {
        const v = first(prop, name);
        if (v !== undefined) props.set(name, v);
      }
    }
    out.push({ href, props });
  }
  return out;
}

/** Props of one response as the fields a RemoteEntry needs. */
export function entryFields(r: DavResponse): { size: number; isDirectory: boolean; modified?: Date; etag?: string } {
  const rt = r.props.get('resourcetype') ?? '';
  const isDirectory = /<[\w.-]*:?collection[\s/>]/i.test(rt);
  const len = Number((r.props.get('getcontentlength') ?? '').trim());
  const lm = r.props.get('getlastmodified');
  const modified = lm ? new Date(decodeEntities(lm).trim()) : undefined;
  const etagRaw = r.props.get('getetag');
  const etag = etagRaw !== undefined ? decodeEntities(etagRaw).trim() : undefined;
  return {
    size: Number.isFinite(len) && len >= 0 ? len : 0,
    isDirectory,
    ...(modified && !Number.isNaN(modified.getTime()) ? { modified } : {}),
    ...(etag ? { etag } : {}),
  };
}
