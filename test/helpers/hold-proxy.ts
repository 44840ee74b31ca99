/**
 * A TCP proxy in front of a real server that can hold one request mid-body: for the first request whose request line
 * matches `hold`, it forwards the headers and the first body byte, then keeps the rest until release() (a slow
 * network, or a server thread descheduled under load). Apache has by then checked the request's conditions and
 * opened its temporary file: what it does at the end (rename over the target) happens after release.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HoldProxy {
  origin: string;
  /** Resolves when a matching request is being held. */
  held: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

export async function startHoldProxy(target: { host: string; port: number }, hold: RegExp): Promise<HoldProxy> {
  let armed = true;
  let onHeld: () => void = () => {};
  const held = new Promise<void>((r) => (onHeld = r));
  let releaseAll: () => void = () => {};
  const released = new Promise<void>((r) => (releaseAll = r));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let holding = false;
    /** Body bytes still to pass before holding (the headers may come in a piece of their own). */
    let pass = -1;
    const queue: Buffer[] = [];
    const startHolding = (rest: Buffer) => {
      holding = true;
      if (rest.length) queue.push(rest);
      onHeld();
      void released.then(() => {
        holding = false;
        for (const c of queue.splice(0)) upstream.write(c);
      });
    };
    client.on('data', (chunk: Buffer) => {
      if (holding) {
        queue.push(chunk);
        return;
      }
      if (pass > 0) {
        upstream.write(chunk.subarray(0, pass));
        startHolding(chunk.subarray(pass));
        pass = 0;
        return;
      }
      const text = chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (armed && end >= 0 && hold.test(text.slice(0, text.indexOf('\r\n')))) {
        armed = false;
        const cut = Math.min(chunk.length, end + 5); // the headers and one body byte
        upstream.write(chunk.subarray(0, cut));
        if (cut === end + 5) startHolding(chunk.subarray(cut));
        else pass = 1;
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (c: Buffer) => client.write(c));
    const endBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', endBoth).on('error', endBoth);
    upstream.on('close', endBoth).on('error', endBoth);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    held,
    release: () => releaseAll(),
    close: async () => {
      releaseAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
