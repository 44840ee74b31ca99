/**
 * "Crear base de datos de ejemplo": a small SQLite file for trying the sync before pointing it at the real one.
 * It is built under a temporary name and linked into place, and link() refuses an existing target, so it can never
 * replace a real database, not even one that appears while we build.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { SyncError } from '../errors.js';
import { msg } from '../messages/index.js';

const CLIENTES = [
  ['Ferretería López', 'B12345678', 'compras@ferreterialopez.example'],
  ['Clínica Dental Sonrisa', 'B23456789', 'admin@sonrisa.example'],
  ['Panadería La Espiga', 'B34567890', 'pedidos@laespiga.example'],
  ['Asesoría Martín', 'B45678901', 'info@asesoriamartin.example'],
];

export async function createSampleDatabase(dbPath: string): Promise<string> {
  const taken = async (p: string) =>
    fsp.lstat(p).then(
      () => true,
      () => false,
    );
  if ((await taken(dbPath)) || (await taken(`${dbPath}.enc`))) {
    throw new SyncError('ALREADY_EXISTS', msg('api.database_already_exists_sample', { dbPath }));
  }
  const dir = path.dirname(dbPath);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(dbPath)}.sample-${randomBytes(6).toString('hex')}`);
  try {
    const db = new Database(tmp);
    try {
      db.exec(`
        CREATE TABLE clientes (id INTEGER PRIMARY KEY, nombre TEXT NOT NULL, nif TEXT, email TEXT);
        CREATE TABLE facturas (id INTEGER PRIMARY KEY, cliente_id INTEGER NOT NULL REFERENCES clientes(id), fecha TEXT NOT NULL, concepto TEXT NOT NULL, importe REAL NOT NULL);
        CREATE TABLE cordiax_ejemplo (nota TEXT);
        INSERT INTO cordiax_ejemplo VALUES ('Base de datos de ejemplo creada por cordiax-sync para pruebas.');
      `);
      const addClient = db.prepare('INSERT INTO clientes (nombre, nif, email) VALUES (?, ?, ?)');
      const addInvoice = db.prepare('INSERT INTO facturas (cliente_id, fecha, concepto, importe) VALUES (?, ?, ?, ?)');
      db.transaction(() => {
        CLIENTES.forEach((c, i) => {
          addClient.run(...c);
          for (let n = 1; n <= 3; n++)
            addInvoice.run(i + 1, `2026-0${n}-1${i}`, `Servicio mensual ${n}`, 120 + 35.5 * (i + n));
        });
      })();
    } finally {
      db.close();
    }
    await fsp.chmod(tmp, 0o600);
    try {
      await fsp.link(tmp, dbPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new SyncError('ALREADY_EXISTS', msg('api.database_already_exists_sample', { dbPath }));
      }
      throw err;
    }
    return dbPath;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}
