import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tmpDir } from './helpers/system.js';
import { diffConflict } from '../src/conflict/diff.js';
import { buildMerge } from '../src/conflict/merge.js';
import { isSyncError } from '../src/errors.js';

/**
 * A base with three tables: `clientes` (INTEGER PRIMARY KEY), `citas` (no declared key: rowid), `tarifas`
 * (WITHOUT ROWID, text key), plus a trigger and a UNIQUE column.
 */
function makeBase(dir: string): string {
  const file = path.join(dir, 'base.db');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE clientes (id INTEGER PRIMARY KEY, nombre TEXT NOT NULL, email TEXT UNIQUE, foto BLOB);
    CREATE TABLE citas (cliente INTEGER, dia TEXT, nota TEXT);
    CREATE TABLE tarifas (codigo TEXT PRIMARY KEY, precio REAL) WITHOUT ROWID;
    CREATE TABLE registro (id INTEGER PRIMARY KEY, que TEXT);
    CREATE TRIGGER clientes_alta AFTER INSERT ON clientes BEGIN INSERT INTO registro (que) VALUES ('alta ' || NEW.id); END;
  `);
  const ins = db.prepare('INSERT INTO clientes (id, nombre, email, foto) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 100; i++) ins.run(i, `Cliente ${i}`, `c${i}@ejemplo.es`, Buffer.alloc(32, i));
    for (let i = 1; i <= 20; i++)
      db.prepare('INSERT INTO citas VALUES (?, ?, ?)').run(i, `2026-11-${10 + (i % 20)}`, `n${i}`);
    for (const c of ['A', 'B', 'C']) db.prepare('INSERT INTO tarifas VALUES (?, ?)').run(c, 10);
  })();
  db.close();
  return file;
}

function copyAndEdit(base: string, name: string, sql: string): string {
  const file = path.join(path.dirname(base), name);
  copyFileSync(base, file);
  const db = new Database(file);
  db.exec(sql);
  db.close();
  return file;
}

const keys = (rows: Array<{ key: Record<string, string> }>) => rows.map((r) => Object.values(r.key).join('|'));

test('three-way diff: exact counts and example keys per side, per table; disjoint rows -> merge offered', async () => {
  const dir = tmpDir('cx-diff-');
  const base = makeBase(dir);
  // This computer: adds clients 101-105, changes 7 and 8, deletes 50; deletes one appointment (rowid 3).
  const local = copyAndEdit(
    base,
    'local.db',
    `INSERT INTO clientes (id, nombre, email) VALUES (101,'L101','l101@x'),(102,'L102','l102@x'),(103,'L103','l103@x'),(104,'L104','l104@x'),(105,'L105','l105@x');
     UPDATE clientes SET nombre = 'Siete cambiado' WHERE id IN (7, 8);
     DELETE FROM clientes WHERE id = 50;
     DELETE FROM citas WHERE rowid = 3;`,
  );
  // The server's version: adds client 200, changes 9, deletes 60 and 61; changes tarifa B; adds tarifa D.
  const remote = copyAndEdit(
    base,
    'remote.db',
    `INSERT INTO clientes (id, nombre, email) VALUES (200,'R200','r200@x');
     UPDATE clientes SET email = 'nueve@servidor.es' WHERE id = 9;
     DELETE FROM clientes WHERE id IN (60, 61);
     UPDATE tarifas SET precio = 12.5 WHERE codigo = 'B';
     INSERT INTO tarifas VALUES ('D', 20);`,
  );
  const d = diffConflict({ base, local, remote, tmpDir: dir });
  assert.equal(d.mode, 'three-way');
  const t = (n: string) => d.tables.find((x) => x.table === n)!;
  const cl = t('clientes');
  assert.equal(cl.local!.added, 5);
  assert.equal(cl.local!.changed, 2);
  assert.equal(cl.local!.deleted, 1);
  assert.deepEqual(keys(cl.local!.examples.added), ['101', '102', '103']);
  assert.deepEqual(keys(cl.local!.examples.changed), ['7', '8']);
  assert.deepEqual(cl.local!.examples.changed[0]!.changes, [
    { column: 'nombre', before: 'Cliente 7', after: 'Siete cambiado' },
  ]);
  assert.deepEqual(keys(cl.local!.examples.deleted), ['50']);
  assert.equal(cl.local!.examples.deleted[0]!.values.foto, '[BLOB 32 B]');
  assert.equal(cl.remote!.added, 1);
  assert.equal(cl.remote!.changed, 1);
  assert.equal(cl.remote!.deleted, 2);
  assert.deepEqual(keys(cl.remote!.examples.deleted), ['60', '61']);
  assert.equal(cl.touchedOnBoth, 0);
  // The local trigger wrote 5 audit rows: they are local changes of `registro`.
  assert.equal(t('registro').local!.added, 5);
  assert.equal(t('registro').remote!.added, 1);
  const citas = t('citas');
  assert.deepEqual([citas.local!.added, citas.local!.changed, citas.local!.deleted], [0, 0, 1]);
  assert.deepEqual(keys(citas.local!.examples.deleted), ['3']);
  assert.equal(citas.remote, null);
  const tar = t('tarifas');
  assert.equal(tar.local, null);
  assert.deepEqual([tar.remote!.added, tar.remote!.changed, tar.remote!.deleted], [1, 1, 0]);
  assert.deepEqual(keys(tar.remote!.examples.changed), ['B']);

  // Registro: both sides added rows with id 1.. (the trigger's autoincrement) -> the same keys on both sides.
  assert.equal(d.mergeable, false);
  assert.deepEqual(d.overlapTables, ['registro']);
  assert.ok(d.blockers.includes('same-rows'));
});

test('merge of disjoint changes: exactly the union, in one file; the inputs are untouched', async () => {
  const dir = tmpDir('cx-merge-');
  const base = makeBase(dir);
  const local = copyAndEdit(
    base,
    'local.db',
    `INSERT INTO tarifas VALUES ('L', 1);
     UPDATE clientes SET nombre = 'Siete local' WHERE id = 7;
     DELETE FROM clientes WHERE id = 50;
     DELETE FROM citas WHERE rowid = 3;
     UPDATE citas SET nota = 'cambiada aquí' WHERE rowid = 4;`,
  );
  const remote = copyAndEdit(
    base,
    'remote.db',
    `UPDATE clientes SET email = 'nueve@servidor.es' WHERE id = 9;
     DELETE FROM clientes WHERE id IN (60, 61);
     UPDATE tarifas SET precio = 12.5 WHERE codigo = 'B';
     INSERT INTO citas VALUES (99, '2026-12-01', 'del servidor');`,
  );
  const d = diffConflict({ base, local, remote, tmpDir: dir });
  assert.equal(d.mergeable, true, JSON.stringify(d.blockers));
  const work = tmpDir('cx-merge-work-');
  const m = await buildMerge({ base, local, remote, tmpDir: work });
  const db = new Database(m.path, { readonly: true });
  try {
    assert.equal(db.prepare('SELECT count(*) FROM clientes').pluck().get(), 100 - 1 - 2);
    assert.equal(db.prepare('SELECT nombre FROM clientes WHERE id = 7').pluck().get(), 'Siete local');
    assert.equal(db.prepare('SELECT email FROM clientes WHERE id = 9').pluck().get(), 'nueve@servidor.es');
    assert.equal(db.prepare('SELECT count(*) FROM clientes WHERE id IN (50, 60, 61)').pluck().get(), 0);
    assert.equal(db.prepare('SELECT nombre FROM clientes WHERE id = 8').pluck().get(), 'Cliente 8');
    assert.deepEqual(db.prepare('SELECT codigo, precio FROM tarifas ORDER BY codigo').raw().all(), [
      ['A', 10],
      ['B', 12.5],
      ['C', 10],
      ['L', 1],
    ]);
    // rowid table: local's delete of rowid 3 and change of rowid 4, the server's new row 21.
    assert.equal(db.prepare('SELECT count(*) FROM citas').pluck().get(), 20 - 1 + 1);
    assert.equal(db.prepare('SELECT count(*) FROM citas WHERE rowid = 3').pluck().get(), 0);
    assert.equal(db.prepare('SELECT nota FROM citas WHERE rowid = 4').pluck().get(), 'cambiada aquí');
    assert.equal(db.prepare("SELECT count(*) FROM citas WHERE nota = 'del servidor'").pluck().get(), 1);
    // The trigger is back in the merged schema and did not fire during the merge (the base's 100 audit rows only).
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'").pluck().get(), 1);
    assert.equal(db.prepare('SELECT count(*) FROM registro').pluck().get(), 100);
    assert.equal(db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
  } finally {
    db.close();
  }
  assert.equal(m.preview.totalRows, 97 + 20 + 4 + 100);
  const pc = m.preview.tables.find((x) => x.table === 'clientes')!;
  assert.deepEqual(pc.fromLocal, { added: 0, changed: 1, deleted: 1 });
  assert.deepEqual(pc.fromRemote, { added: 0, changed: 1, deleted: 2 });
  // The inputs are as they were.
  const rdb = new Database(remote, { readonly: true });
  assert.equal(rdb.prepare("SELECT count(*) FROM tarifas WHERE codigo = 'L'").pluck().get(), 0);
  rdb.close();
});

test('the same row changed on both sides -> no merge, and buildMerge refuses', async () => {
  const dir = tmpDir('cx-merge-overlap-');
  const base = makeBase(dir);
  const local = copyAndEdit(base, 'local.db', "UPDATE clientes SET nombre = 'aquí' WHERE id = 5;");
  const remote = copyAndEdit(base, 'remote.db', "UPDATE clientes SET email = 'alli@x' WHERE id = 5;");
  const d = diffConflict({ base, local, remote, tmpDir: dir });
  assert.equal(d.mergeable, false);
  assert.equal(d.tables.find((x) => x.table === 'clientes')!.touchedOnBoth, 1);
  await assert.rejects(buildMerge({ base, local, remote, tmpDir: tmpDir() }), (e) => isSyncError(e));
});

test('a schema change on one side -> no merge; its table is reported as changed in structure', () => {
  const dir = tmpDir('cx-merge-schema-');
  const base = makeBase(dir);
  const local = copyAndEdit(
    base,
    'local.db',
    "ALTER TABLE clientes ADD COLUMN telefono TEXT; INSERT INTO tarifas VALUES ('X', 1);",
  );
  const remote = copyAndEdit(base, 'remote.db', 'DELETE FROM clientes WHERE id = 1;');
  const d = diffConflict({ base, local, remote, tmpDir: dir });
  assert.equal(d.mergeable, false);
  assert.ok(d.blockers.includes('schema-changed'));
  const cl = d.tables.find((x) => x.table === 'clientes')!;
  assert.equal(cl.localSchema, 'changed');
  assert.equal(cl.remote!.deleted, 1);
});

test('a UNIQUE value added on both sides under different keys fails the merge, nothing applied', async () => {
  const dir = tmpDir('cx-merge-unique-');
  const base = makeBase(dir);
  // No trigger effects: the audit trigger would make registro overlap; drop it on both sides of this test's base.
  const b2 = copyAndEdit(base, 'base2.db', 'DROP TRIGGER clientes_alta;');
  const local = copyAndEdit(b2, 'local.db', "INSERT INTO clientes (id, nombre, email) VALUES (300, 'L', 'mismo@x');");
  const remote = copyAndEdit(b2, 'remote.db', "INSERT INTO clientes (id, nombre, email) VALUES (301, 'R', 'mismo@x');");
  const d = diffConflict({ base: b2, local, remote, tmpDir: dir });
  assert.equal(d.mergeable, true);
  await assert.rejects(buildMerge({ base: b2, local, remote, tmpDir: tmpDir() }), /UNIQUE/);
});

test('two-way diff without a base says so: the server version against this computer', () => {
  const dir = tmpDir('cx-diff-2way-');
  const base = makeBase(dir);
  const local = copyAndEdit(base, 'local.db', 'DELETE FROM clientes WHERE id <= 4;');
  const remote = copyAndEdit(base, 'remote.db', "INSERT INTO tarifas VALUES ('Z', 3);");
  const d = diffConflict({ base: null, local, remote, tmpDir: dir });
  assert.equal(d.mode, 'two-way');
  assert.equal(d.mergeable, false);
  assert.deepEqual(d.blockers, ['no-base']);
  assert.equal(d.tables.find((x) => x.table === 'clientes')!.remote!.added, 4);
  assert.equal(d.tables.find((x) => x.table === 'tarifas')!.remote!.added, 1);
});
