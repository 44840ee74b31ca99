/**
 * A fault-injecting TCP proxy on 127.0.0.1: pass, throttle (bytes per second each way), reset the connection after N
 * bytes (a TCP RST mid-stream), freeze (keep connections open, forward nothing), refuse (reset every new connection).
 * Counts connections, bytes and HTTP request lines, so tests can bound retries ("no reconnect storm").
 */
import net from 'node:net';

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'throttle'; bytesPerSecond: number }
  | { kind: 'reset-after'; bytes: number }
  | { kind: 'freeze' }
  | { kind: 'refuse' };

const HTTP_METHOD = /^(GET|PUT|POST|HEAD|DELETE|OPTIONS|PROPFIND|PROPPATCH|MKCOL|MOVE|COPY|LOCK|UNLOCK) \S+ HTTP\/1\.[01]\r\n/;

export class FaultProxy {
  port = 0;
  connections = 0;
  resets = 0;
  bytesUp = 0;
  bytesDown = 0;
  httpRequests = 0;
  private mode: ProxyMode = { kind: 'pass' };
  private server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Bytes sent up since the current reset-after mode was set. */
  private upSinceMode = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    this.upSinceMode = 0;
  }

  resetCounters(): void {
    this.connections = this.resets = this.bytesUp = this.bytesDown = this.httpRequests = 0;
  }

  /** Drops every open connection with a reset. */
  resetAll(): void {
    for (const s of this.sockets) {
      this.resets++;
      s.resetAndDestroy();
    }
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => {});
  }

  private onClient(client: net.Socket): void {
    this.connections++;
    this.track(client);
    if (this.mode.kind === 'refuse') {
      this.resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.track(upstream);
    const kill = () => {
      this.resets++;
      client.resetAndDestroy();
      upstream.destroy();
    };
    // While frozen, a close on one side is not passed on: the other side just sees silence.
    client.on('close', () => {
      if (this.mode.kind !== 'freeze') upstream.destroy();
    });
    upstream.on('close', () => {
      if (this.mode.kind !== 'freeze') client.destroy();
    });
    this.forward(client, upstream, 'up', kill);
    this.forward(upstream, client, 'down', kill);
  }

  private forward(from: net.Socket, to: net.Socket, dir: 'up' | 'down', kill: () => void): void {
    let queue = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      if (dir === 'up' && HTTP_METHOD.test(chunk.subarray(0, 80).toString('latin1'))) this.httpRequests++;
      from.pause();
      queue = queue.then(async () => {
        const m = this.mode;
        if (m.kind === 'freeze') {
          // Swallow: the peer sees a connection that never answers (a frozen server or a dead network path).
          from.resume();
          return;
        }
        if (m.kind === 'reset-after' && dir === 'up') {
          this.upSinceMode += chunk.length;
          if (this.upSinceMode > m.bytes) {
            kill();
            return;
          }
        }
        if (m.kind === 'throttle') {
          for (let off = 0; off < chunk.length && !to.destroyed; off += 16 * 1024) {
            const part = chunk.subarray(off, off + 16 * 1024);
            to.write(part);
            await new Promise((r) => setTimeout(r, (part.length / m.bytesPerSecond) * 1000));
          }
        } else if (!to.destroyed) {
          to.write(chunk);
        }
        if (dir === 'up') this.bytesUp += chunk.length;
        else this.bytesDown += chunk.length;
        from.resume();
      });
    });
    from.on('end', () =>
      queue.then(() => {
        if (this.mode.kind !== 'freeze') to.end();
      }),
    );
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
