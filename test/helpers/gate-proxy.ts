/**
 * A TCP proxy in front of a real HTTP server that can stop one exchange half-way, for as long as a test needs: the
 * first request matching a rule passes its first piece (the headers and what came with them), then either the rest of
 * its body ('request': a slow upload) or the rest of the server's answer ('response': a slow download, a slow
 * read-back) waits until release(). A client that gives up (an aborted request) closes the connection: the held bytes
 * are dropped and the server sees its client go, as over a real network.
 *
 * A new request is recognised by a request line at the start of a piece from the client: the clients under test
 * wait for each answer before the next request on a connection (no pipelining), so the next request starts a piece.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface GateRule {
  /** Matched against the request line, e.g. /^PUT \S*\.cxtmp /. */
  line: RegExp;
  hold: 'request' | 'response';
}

export interface Gate {
  /** Resolves once a matching exchange is being held. */
  reached: Promise<void>;
  release(): void;
}

export interface GateProxy {
  origin: string;
  /** Arms a rule for the next matching request (once). */
  gate(rule: GateRule): Gate;
  /** Releases every gate (armed or holding). */
  releaseAll(): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;

interface Armed extends GateRule {
  reached: () => void;
  released: Promise<void>;
  release: () => void;
  taken: boolean;
}

export async function startGateProxy(target: { host: string; port: number }): Promise<GateProxy> {
  const rules: Armed[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    /** The rule holding this connection's current exchange, and in which direction. */
    let active: Armed | null = null;
    let holdingUp = false;
    let holdingDown = false;
    const upQueue: Buffer[] = [];
    const downQueue: Buffer[] = [];
    let downFirstSeen = false;

    const flushUp = () => {
      holdingUp = false;
      for (const c of upQueue.splice(0)) upstream.write(c);
    };
    const flushDown = () => {
      holdingDown = false;
      for (const c of downQueue.splice(0)) client.write(c);
    };

    client.on('data', (chunk: Buffer) => {
      if (holdingUp) {
        upQueue.push(chunk);
        return;
      }
      const text = chunk.subarray(0, 512).toString('latin1');
      if (REQUEST_LINE.test(text)) {
        const line = text.slice(0, text.indexOf('\r\n'));
        const rule = rules.find((r) => !r.taken && r.line.test(line));
        active = null;
        downFirstSeen = false;
        if (rule) {
          rule.taken = true;
          active = rule;
          if (rule.hold === 'request') {
            upstream.write(chunk);
            holdingUp = true;
            rule.reached();
            void rule.released.then(flushUp);
            return;
          }
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (holdingDown) {
        downQueue.push(chunk);
        return;
      }
      if (active?.hold === 'response' && !downFirstSeen) {
        downFirstSeen = true;
        client.write(chunk);
        holdingDown = true;
        active.reached();
        void active.released.then(flushDown);
        return;
      }
      client.write(chunk);
    });
    const endBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', endBoth).on('error', endBoth);
    upstream.on('close', endBoth).on('error', endBoth);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    gate(rule) {
      let reached: () => void = () => {};
      const reachedP = new Promise<void>((r) => (reached = r));
      let release: () => void = () => {};
      const released = new Promise<void>((r) => (release = r));
      rules.push({ ...rule, reached, released, release, taken: false });
      return { reached: reachedP, release };
    },
    releaseAll() {
      for (const r of rules) r.release();
    },
    close: async () => {
      for (const r of rules) r.release();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
