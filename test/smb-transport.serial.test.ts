/**
 * The SMB transport (FileTransport) against a real Samba on 127.0.0.1:445: "Probar Conexión", verified uploads,
 * streamed downloads, small atomic writes, create-exclusive, rename, remove, and clear errors for bad credentials
 * or a missing share. The password must never reach the log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create, SmbTransport, parseServer, normalizeRoot } from '../src/transports/smb/index.js';
import { smb } from '../src/transports/smb/declaration.js';
import { configSchema } from '../src/config/schema.js';
import { SmbClient } from '../src/smb/index.js';
import { Access, Disposition } from '../src/smb/codec.js';
import { isSyncError } from '../src/errors.js';
import { startSamba, smbConfig, memoryLog, type SambaServer } from './helpers/samba.js';
import { sha256File, tmpDir } from './helpers/system.js';

const work = tmpDir('cx-smbt-');

describe('SMB transport against Samba', () => {
  let s: SambaServer;
  before(async () => {
    s = await startSamba('default');
  });
  after(async () => s?.stop());

  const make = (extra: Parameters<typeof smbConfig>[1] = {}) => {
    const log = memoryLog();
    return { log, t: new SmbTransport(smbConfig(s, extra), { log, tmpDir: tmpDir(), device: 'equipo-1' }) };
  };

  test('module shape for the registry, and config parsing', () => {
    assert.equal(smb.name, 'smb');
    const cfg = configSchema.parse({
      protocol: 'smb',
      smb: {
        server: '127.0.0.1',
        share_name: 'share',
        username: 'u',
        password: 'p',
        domain: '',
        remote_path: '/cordiax_sync/',
      },
    });
    const t = create(cfg.smb, { log: memoryLog(), tmpDir: work, device: 'x' });
    assert.equal(t.protocol, 'smb');
    assert.deepEqual(parseServer('\\\\srv\\share'), { host: 'srv', port: undefined });
    assert.deepEqual(parseServer('smb://srv:1445'), { host: 'srv', port: 1445 });
    assert.equal(normalizeRoot('\\cordiax_sync\\sub\\'), 'cordiax_sync/sub');
  });

  test('"Probar Conexión": full probe round trip, facts, connect/disconnect logged, no password anywhere', async () => {
    const { t, log } = make();
    const report = await t.test();
    await t.close();
    assert.equal(report.ok, true, JSON.stringify(report.error));
    assert.deepEqual(
      report.steps.map((x) => x.id),
      ['auth', 'mkdir', 'write', 'read', 'rename', 'delete', 'commit'],
    );
    assert.equal(report.facts.dialect, '3.1.1');
    assert.equal(report.facts.signing, true);
    assert.equal(report.facts.signingAlgorithm, 'aes-gmac');
    assert.equal(report.facts.encryption, null);
    assert.equal(report.facts.auth, 'NTLMv2 (SPNEGO)');
    assert.deepEqual(report.guarantees, { conditionalWrite: false, exclusiveCreate: true, atomicReplace: true });
    assert.ok(existsSync(path.join(s.shareDir, 'cordiax_sync')));
    assert.deepEqual(readdirSync(path.join(s.shareDir, 'cordiax_sync')), [], 'the probe leaves nothing behind');
    assert.deepEqual(
      log.events.map((e) => e.type),
      ['connect', 'disconnect'],
    );
    assert.match(log.events[0].text.es, /Conectado a .*SMB 3\.1\.1/);
    assert.ok(!JSON.stringify(log.events).includes(s.password));
    assert.ok(!JSON.stringify(report).includes(s.password));
  });

  test('upload to a temp name, verified, renamed into place; download streamed and hashed; replace rules', async () => {
    const { t } = make({ remote_path: '/deep/er/path/' });
    try {
      await t.open();
      const local = path.join(work, 'db.bin');
      writeFileSync(local, randomBytes(7 * 1024 * 1024 + 11));
      const sha = await sha256File(local);
      const size = statSync(local).size;
      const progress: number[] = [];
      const up = await t.upload(
        local,
        'versions/000001-abc.db',
        { size, sha256: sha },
        { onProgress: (p) => progress.push(p.bytes) },
      );
      assert.deepEqual([up.size, up.sha256], [size, sha]);
      assert.equal(typeof up.version, 'string', 'the version of what was published (size + change time)');
      assert.equal(progress.at(-1), size);
      const landed = path.join(s.shareDir, 'deep/er/path/versions/000001-abc.db');
      assert.equal(await sha256File(landed), sha);
      assert.deepEqual(readdirSync(path.dirname(landed)), ['000001-abc.db'], 'no temp file left');
      // Not replacing an existing target is the default.
      await assert.rejects(t.upload(local, 'versions/000001-abc.db', { size, sha256: sha }), (e) =>
        isSyncError(e, 'ALREADY_EXISTS'),
      );
      assert.deepEqual(readdirSync(path.dirname(landed)), ['000001-abc.db'], 'the failed upload cleaned its temp file');
      await t.upload(local, 'versions/000001-abc.db', { size, sha256: sha }, { replace: true });
      // A wrong expectation is caught before the rename, and the target is untouched.
      await assert.rejects(t.upload(local, 'versions/other.db', { size, sha256: '0'.repeat(64) }), (e) =>
        isSyncError(e, 'VERIFY_FAILED'),
      );
      assert.equal(existsSync(path.join(path.dirname(landed), 'other.db')), false);

      const out = path.join(work, 'down.bin');
      const down = await t.download('versions/000001-abc.db', out);
      assert.deepEqual(down, { size, sha256: sha });
      assert.equal(await sha256File(out), sha);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      await assert.rejects(t.download('versions/missing.db', path.join(work, 'x.bin')), (e) =>
        isSyncError(e, 'NOT_FOUND'),
      );
    } finally {
      await t.close();
    }
  });

  test('small files: writeSmall atomic replace, readSmall, createExclusive, list, stat, rename, remove', async () => {
    const { t } = make();
    try {
      await t.open();
      assert.equal(await t.readSmall('cordiax-sync.json'), null);
      const w1 = await t.writeSmall('cordiax-sync.json', Buffer.from('{"generation":1}'), { ifVersion: null });
      await assert.rejects(t.writeSmall('cordiax-sync.json', Buffer.from('x'), { ifVersion: null }), (e) =>
        isSyncError(e, 'ALREADY_EXISTS'),
      );
      const r1 = await t.readSmall('cordiax-sync.json');
      assert.equal(r1?.data.toString(), '{"generation":1}');
      assert.equal(r1?.version, w1.version);
      await t.writeSmall('cordiax-sync.json', Buffer.from('{"generation":2}'));
      assert.equal(
        readFileSync(path.join(s.shareDir, 'cordiax_sync', 'cordiax-sync.json'), 'utf8'),
        '{"generation":2}',
      );
      await assert.rejects(t.writeSmall('cordiax-sync.json', Buffer.from('x'), { ifVersion: 'stale' }), (e) =>
        isSyncError(e, 'PRECONDITION_FAILED'),
      );
      await assert.rejects(t.readSmall('cordiax-sync.json', 4), (e) => isSyncError(e, 'TOO_LARGE'));

      assert.equal(await t.createExclusive('sync.lock', Buffer.from('equipo-1')), true);
      assert.equal(await t.createExclusive('sync.lock', Buffer.from('equipo-2')), false);
      assert.equal(readFileSync(path.join(s.shareDir, 'cordiax_sync', 'sync.lock'), 'utf8'), 'equipo-1');

      await t.mkdirp('versions');
      await t.writeSmall('versions/a.db', Buffer.from('aaa'));
      const entries = (await t.list('')).map((e) => `${e.path}:${e.isDirectory ? 'd' : e.size}`).sort();
      assert.deepEqual(entries, ['cordiax-sync.json:16', 'sync.lock:8', 'versions:d']);
      assert.deepEqual(
        (await t.list('versions')).map((e) => e.path),
        ['versions/a.db'],
      );
      assert.deepEqual(await t.list('nothing-here'), []);
      assert.equal((await t.stat('versions/a.db'))?.size, 3);
      assert.equal(await t.stat('versions/none.db'), null);

      await t.rename('versions/a.db', 'versions/b.db');
      await t.writeSmall('versions/c.db', Buffer.from('c'));
      await assert.rejects(t.rename('versions/b.db', 'versions/c.db'), (e) => isSyncError(e, 'ALREADY_EXISTS'));
      await t.rename('versions/b.db', 'versions/c.db', { replace: true });
      assert.equal(readFileSync(path.join(s.shareDir, 'cordiax_sync', 'versions', 'c.db'), 'utf8'), 'aaa');
      await t.remove('versions/c.db');
      await t.remove('versions/c.db'); // idempotent
      await t.remove('sync.lock');
      assert.deepEqual(readdirSync(path.join(s.shareDir, 'cordiax_sync', 'versions')), []);
      await assert.rejects(t.stat('../escape'), (e) => isSyncError(e, 'CONFIG_INVALID'));
    } finally {
      await t.close();
    }
  });

  test('a lock file being created is never seen empty: readers get LOCKED until its content is in', async () => {
    const { t } = make({ remote_path: '/locks/' });
    const client = await SmbClient.connect({ host: s.host, port: s.port, username: s.user, password: s.password });
    try {
      await t.open();
      // The same open createExclusive does (FILE_CREATE, share nothing), held open before its data is written.
      const tree = await client.treeConnect(s.share);
      const f = await tree.open('locks/held.lock', {
        access: Access.FILE_WRITE_DATA | Access.SYNCHRONIZE,
        disposition: Disposition.CREATE,
        shareAccess: 0,
      });
      await assert.rejects(t.readSmall('held.lock'), (e) => isSyncError(e, 'LOCKED'));
      assert.equal(await t.createExclusive('held.lock', Buffer.from('other')), false);
      await f.write(Buffer.from('{"device":"x"}'), 0);
      await f.close();
      assert.equal((await t.readSmall('held.lock'))?.data.toString(), '{"device":"x"}');
    } finally {
      await client.close();
      await t.close();
    }
  });

  test('wrong password: the probe reports AUTH_FAILED with a hint; nothing succeeds; no password in the report', async () => {
    const { t, log } = make({ password: 'mala-contraseña' });
    const report = await t.test();
    assert.equal(report.ok, false);
    assert.equal(report.error?.code, 'AUTH_FAILED');
    assert.ok(report.error?.hint);
    assert.deepEqual(
      report.steps.map((x) => `${x.id}:${x.ok}`),
      ['error:false'],
    );
    await assert.rejects(t.open(), (e) => isSyncError(e, 'AUTH_FAILED'));
    assert.ok(!log.events.some((e) => e.type === 'connect'));
    assert.ok(!JSON.stringify(report).includes('mala-contraseña'));
  });

  test('missing share: NOT_FOUND that names the share problem', async () => {
    const { t } = make({ share_name: 'no-existe' });
    const report = await t.test();
    assert.equal(report.ok, false);
    assert.equal(report.error?.code, 'NOT_FOUND');
    assert.match(report.error?.message ?? '', /recurso compartido/);
  });

  test('server not reachable: CONNECTION_REFUSED with a hint about 445/139', async () => {
    const { t } = make({ port: 1 });
    const report = await t.test();
    assert.equal(report.error?.code, 'CONNECTION_REFUSED');
    assert.match(report.error?.hint ?? '', /445/);
  });
});

for (const [variant, check] of [
  ['signing', (f: Record<string, unknown>) => assert.equal(f.signingRequiredByServer, true)],
  ['encrypt', (f: Record<string, unknown>) => assert.equal(f.encryption, 'aes-128-gcm')],
  ['port139', (f: Record<string, unknown>) => assert.deepEqual([f.port, f.transport], [139, 'netbios'])],
] as const) {
  describe(`SMB transport "Probar Conexión" against Samba (${variant})`, () => {
    let s: SambaServer;
    before(async () => {
      s = await startSamba(variant);
    });
    after(async () => s?.stop());

    test('the probe round trip works and the report shows what was negotiated', async () => {
      // port139: no port configured, so the transport tries 445 and falls back to 139 as the spec's hint says.
      const cfg = smbConfig(s, variant === 'port139' ? { port: undefined } : {});
      const t = new SmbTransport(cfg, { log: memoryLog(), tmpDir: tmpDir(), device: 'equipo-2' });
      try {
        const report = await t.test();
        assert.equal(report.ok, true, JSON.stringify(report.error));
        check(report.facts);
      } finally {
        await t.close();
      }
    });
  });
}
