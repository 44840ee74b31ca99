/**
 * A Flask-SocketIO server exactly as the spec shows it (Debian python3-flask-socketio, /usr/bin/python3), written
 * to a temp .py file. Only the last line differs: it listens on 127.0.0.1:<port> and passes
 * allow_unsafe_werkzeug=True (without a terminal Flask-SocketIO 5.3 refuses to start otherwise).
 * It writes `cordiax_sync.db` in its working folder and prints 'Cliente conectado' per connection, which the
 * tests count.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, killGroup, startDaemon, tmpDir, waitForPort } from './system.js';

export const PYTHON = '/usr/bin/python3';

const SPEC_SERVER = `
from flask import Flask
from flask_socketio import SocketIO, emit

app = Flask(__name__)
socketio = SocketIO(app, cors_allowed_origins="*")

@socketio.on('connect', namespace='/cordiax-sync/')
def handle_connect():
    print('Cliente conectado')
    emit('sync_request', {})

@socketio.on('sync_data', namespace='/cordiax-sync/')
def handle_sync_data(data):
    print('Datos recibidos para sincronización')
    # Guardar data['data'] en el servidor
    # El dato viene en formato hexadecimal
    db_bytes = bytes.fromhex(data['data'])
    with open('cordiax_sync.db', 'wb') as f:
        f.write(db_bytes)

if __name__ == '__main__':
    import sys
    socketio.run(app, host='127.0.0.1', port=int(sys.argv[1]), allow_unsafe_werkzeug=True)
`;

export interface FlaskServer {
  url: string;
  port: number;
  dir: string;
  /** Where the spec's handler writes what it receives. */
  dbFile: string;
  proc: ChildProcess;
  /** Connections the server has accepted so far (its 'Cliente conectado' lines). */
  connections(): number;
  /** 'Datos recibidos' lines: sync_data messages that reached the handler. */
  received(): number;
  stop(): void;
}

/** maxHttpBufferSize: a server whose owner set a smaller buffer than the default (the only change to the spec's code). */
export async function startFlask(
  opts: { port?: number; dir?: string; maxHttpBufferSize?: number } = {},
): Promise<FlaskServer> {
  const dir = opts.dir ?? tmpDir('cx-flask-');
  const script = path.join(dir, 'server.py');
  const code = opts.maxHttpBufferSize
    ? SPEC_SERVER.replace(
        'SocketIO(app, cors_allowed_origins="*")',
        `SocketIO(app, cors_allowed_origins="*", max_http_buffer_size=${Math.floor(opts.maxHttpBufferSize)})`,
      )
    : SPEC_SERVER;
  writeFileSync(script, code, { mode: 0o600 });
  const port = opts.port ?? (await freePort());
  const proc = startDaemon(PYTHON, ['-u', script, String(port)], {
    cwd: dir,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitForPort(port);
  const count = (s: string) => out.split('\n').filter((l) => l.includes(s)).length;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    dbFile: path.join(dir, 'cordiax_sync.db'),
    proc,
    connections: () => count('Cliente conectado'),
    received: () => count('Datos recibidos'),
    stop: () => killGroup(proc),
  };
}
