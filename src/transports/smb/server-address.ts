/** How the `smb.server` setting names a server; light (no SMB client), so the declaration can use it too. */

/** 'host', '\\host', '//host', 'smb://host' and 'host:port' all name the same server. */
export function parseServer(server: string): { host: string; port?: number } {
  let s = server
    .trim()
    .replace(/^smb:\/\//i, '')
    .replace(/^[\\/]+/, '');
  s = s.split(/[\\/]/)[0];
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) return { host: s };
  return { host: m[1], port: m[2] ? Number(m[2]) : undefined };
}
