/**
 * Our SMB2/3 client against real Samba servers on 127.0.0.1 (fixed ports 445/139, hence serial): defaults, signing
 * mandatory, SMB3 + encryption required, port 139 only. Interop in both directions with smbclient, byte for byte.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SmbClient, type SmbConnectOptions, type SmbTree } from '../src/smb/index.js';
import { isSyncError } from '../src/errors.js';
import { startSamba, type SambaServer } from './helpers/samba.js';
import { sh, sha256File, tmpDir } from './helpers/system.js';

const work = tmpDir('cx-smbc-');

function opts(s: SambaServer, extra: Partial<SmbConnectOptions> = {}): SmbConnectOptions {
  return { host: s.host, port: s.port, username: s.user, password: s.password, timeoutMs: 15000, ...extra };
}

async function streamSha(tree: SmbTree, p: string): Promise<{ sha: string; size: number }> {
  const { stream } = await tree.createReadStream(p);
  const h = createHash('sha256');
  let size = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { sha: h.digest('hex'), size };
}

/** Round trip through our client, and interop with smbclient in both directions. */
async function interop(s: SambaServer, client: SmbClient, tag: string): Promise<void> {
  const tree = await client.treeConnect(s.share);
  await tree.mkdirp(`interop/${tag}`);
  const ours = path.join(work, `${tag}-ours.bin`);
  writeFileSync(ours, randomBytes(5 * 1024 * 1024 + 777));
  const oursSha = await sha256File(ours);
  // Ours -> smbclient.
  const n = await tree.upload(`interop/${tag}/ours.bin`, createReadStream(ours));
  assert.equal(n, 5 * 1024 * 1024 + 777);
  const fetched = path.join(work, `${tag}-fetched.bin`);
  const g = s.smbclient(`get interop/${tag}/ours.bin ${fetched}`);
  assert.equal(g.status, 0, g.stderr + g.stdout);
  assert.equal(await sha256File(fetched), oursSha);
  // smbclient -> ours.
  const theirs = path.join(work, `${tag}-theirs.bin`);
  writeFileSync(theirs, randomBytes(3 * 1024 * 1024 + 5));
  const p = s.smbclient(`put ${theirs} interop/${tag}/theirs.bin`);
  assert.equal(p.status, 0, p.stderr + p.stdout);
  const back = await streamSha(tree, `interop/${tag}/theirs.bin`);
  assert.equal(back.size, 3 * 1024 * 1024 + 5);
  assert.equal(back.sha, await sha256File(theirs));
}

describe('SMB client against Samba with default settings', () => {
  let s: SambaServer;
  let client: SmbClient;
  before(async () => {
    s = await startSamba('default');
    client = await SmbClient.connect(opts(s));
  });
  after(async () => {
    await client?.close();
    await s?.stop();
  });

  test('negotiates SMB 3.1.1 with NTLMv2 and signs (AES-GMAC)', () => {
    assert.equal(client.facts.dialect, '3.1.1');
    assert.equal(client.facts.signing, true);
    assert.equal(client.facts.signingAlgorithm, 'aes-gmac');
    assert.equal(client.facts.encryption, null);
    assert.equal(client.facts.guest, false);
    assert.equal(client.facts.transport, 'direct-tcp');
  });

  test('interop with smbclient, both directions, byte-identical', async () => {
    await interop(s, client, 'default');
  });

  test('mkdirp, list, stat, rename (replace and not), remove', async () => {
    const tree = await client.treeConnect(s.share);
    await tree.mkdirp('/ops/a/b/');
    await tree.mkdirp('ops/a/b'); // idempotent
    await tree.writeFile('ops/a/b/one.txt', Buffer.from('uno'));
    await tree.writeFile('ops/a/b/two.txt', Buffer.from('dos!'));
    const names = (await tree.list('ops/a/b')).map((e) => `${e.name}:${e.size}`).sort();
    assert.deepEqual(names, ['one.txt:3', 'two.txt:4']);
    const st = await tree.stat('ops/a/b/two.txt');
    assert.equal(st?.size, 4);
    assert.equal(st?.isDirectory, false);
    assert.equal((await tree.stat('ops/a'))?.isDirectory, true);
    assert.equal(await tree.stat('ops/missing.txt'), null);
    assert.equal(await tree.stat('nodir/missing.txt'), null);
    await assert.rejects(tree.rename('ops/a/b/one.txt', 'ops/a/b/two.txt'), (e) => isSyncError(e, 'ALREADY_EXISTS'));
    await tree.rename('ops/a/b/one.txt', 'ops/a/b/two.txt', { replace: true });
    assert.equal((await tree.readFile('ops/a/b/two.txt')).toString(), 'uno');
    assert.equal(readFileSync(path.join(s.shareDir, 'ops/a/b/two.txt'), 'utf8'), 'uno');
    assert.equal(await tree.remove('ops/a/b/two.txt'), true);
    assert.equal(await tree.remove('ops/a/b/two.txt'), false);
    assert.deepEqual(await tree.list('ops/a/b'), []);
    await assert.rejects(tree.list('ops/nope'), (e) => isSyncError(e, 'NOT_FOUND'));
    await assert.rejects(tree.readFile('ops/nope.txt'), (e) => isSyncError(e, 'NOT_FOUND'));
  });

  test('createExclusive: of racing clients exactly one wins', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => SmbClient.connect(opts(s))));
    try {
      const trees = await Promise.all(clients.map((c) => c.treeConnect(s.share)));
      const wins = await Promise.all(trees.map((t, i) => t.createExclusive('race.lock', Buffer.from(`client-${i}`))));
      assert.equal(wins.filter(Boolean).length, 1);
      const winner = wins.indexOf(true);
      assert.equal(readFileSync(path.join(s.shareDir, 'race.lock'), 'utf8'), `client-${winner}`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test('large file with several 1 MiB requests in flight: interim STATUS_PENDING answers do not corrupt it', async () => {
    const big = path.join(work, 'big.bin');
    const out = createWriteStream(big);
    for (let i = 0; i < 96; i++)
      if (!out.write(randomBytes(1024 * 1024))) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
    const want = await sha256File(big);
    const tree = await client.treeConnect(s.share);
    await tree.upload('big.bin', createReadStream(big, { highWaterMark: 1024 * 1024 }));
    assert.equal(await sha256File(path.join(s.shareDir, 'big.bin')), want);
    for (let round = 0; round < 2; round++) {
      const back = await streamSha(tree, 'big.bin');
      assert.equal(back.size, 96 * 1024 * 1024);
      assert.equal(back.sha, want);
    }
    // Figures for the log (Samba decides when to go async; nothing to assert on the count).
    console.log(`# requests ${client.stats.requests}, interim STATUS_PENDING answers ${client.stats.interim}`);
  });

  for (const dialect of ['2.0.2', '2.1', '3.0', '3.0.2'] as const) {
    test(`dialect ${dialect}: round trip and interop`, async () => {
      const c = await SmbClient.connect(opts(s, { dialects: [dialect] }));
      try {
        assert.equal(c.facts.dialect, dialect);
        assert.equal(c.facts.signing, true);
        assert.equal(c.facts.signingAlgorithm, dialect.startsWith('2') ? 'hmac-sha256' : 'aes-cmac');
        await interop(s, c, `d${dialect}`);
      } finally {
        await c.close();
      }
    });
  }

  test('3.0.x downgrade protection: VALIDATE_NEGOTIATE_INFO passes, and a tampered negotiation is caught', async () => {
    const c = await SmbClient.connect(opts(s, { dialects: ['3.0.2'] }));
    try {
      // What a man in the middle would cause: our record of the server's answer differs from what the server sent.
      const conn = await c.connection();
      assert.ok(conn.negotiated, 'kept for validation');
      conn.negotiated!.response.capabilities ^= 0x4;
      const e = await c.treeConnect(s.share).catch((x) => x);
      assert.ok(isSyncError(e, 'PROTOCOL'), String(e));
      assert.equal(conn.alive, false);
    } finally {
      await c.close();
    }
    const ok = await SmbClient.connect(opts(s, { dialects: ['3.0.2'] }));
    try {
      await ok.treeConnect(s.share);
      assert.equal((await ok.connection()).negotiated, null, 'validated');
    } finally {
      await ok.close();
    }
  });

  test('client-requested encryption: AES-128-GCM (3.1.1) and AES-128-CCM (3.0.2)', async () => {
    for (const [dialects, cipher] of [
      [undefined, 'aes-128-gcm'],
      [['3.0.2'], 'aes-128-ccm'],
    ] as const) {
      const c = await SmbClient.connect(
        opts(s, { requireEncryption: true, dialects: dialects ? [...dialects] : undefined }),
      );
      try {
        assert.equal(c.facts.encryption, cipher);
        await interop(s, c, `enc-${cipher}`);
      } finally {
        await c.close();
      }
    }
  });

  test('wrong password: AUTH_FAILED with a Spanish message and a hint', async () => {
    const e = await SmbClient.connect(opts(s, { password: 'not-the-password' })).catch((x) => x);
    assert.ok(isSyncError(e, 'AUTH_FAILED'), String(e));
    assert.equal(e.details?.ntstatus, 'STATUS_LOGON_FAILURE');
    assert.match(e.text.es, /contraseña/);
    assert.ok(e.hint?.es);
    assert.ok(!JSON.stringify(e.toJSON()).includes(s.password));
  });

  test('missing share: NOT_FOUND (BAD_NETWORK_NAME)', async () => {
    const e = await client.treeConnect('no-such-share').catch((x) => x);
    assert.ok(isSyncError(e, 'NOT_FOUND'), String(e));
    assert.equal(e.details?.ntstatus, 'STATUS_BAD_NETWORK_NAME');
  });

  test('reconnects for the next operation after the server drops the connection', async () => {
    const c = await SmbClient.connect(opts(s));
    try {
      const tree = await c.treeConnect(s.share);
      await tree.writeFile('drop.txt', Buffer.from('before'));
      const before = c.generation;
      // Kill the smbd child serving this connection (a real drop, not a simulated one).
      const pids = sh('smbstatus', ['-s', s.conf, '-p'])
        .stdout.split('\n')
        .map((l) => /^\s*(\d+)\s+cxsmb\b/.exec(l)?.[1])
        .filter(Boolean) as string[];
      assert.ok(pids.length >= 2, 'smbstatus lists our connections');
      const mine = pids.map(Number).sort((a, b) => b - a)[0]; // the newest connection is ours
      process.kill(mine, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      const r = await tree.readFile('drop.txt').catch((e) => e);
      if (r instanceof Error) {
        assert.ok(isSyncError(r, 'CONNECTION_RESET'), String(r));
        assert.equal((await tree.readFile('drop.txt')).toString(), 'before');
      } else {
        assert.equal(r.toString(), 'before');
      }
      assert.equal(c.generation, before + 1);
    } finally {
      await c.close();
    }
  });
});

describe('SMB client against Samba with server signing = mandatory', () => {
  let s: SambaServer;
  before(async () => {
    s = await startSamba('signing');
  });
  after(async () => s?.stop());

  test('signs, and interop works for 3.1.1 and 2.1', async () => {
    for (const dialects of [undefined, ['2.1' as const]]) {
      const c = await SmbClient.connect(opts(s, { dialects }));
      try {
        assert.equal(c.facts.signingRequiredByServer, true);
        assert.equal(c.facts.signing, true);
        await interop(s, c, `sign-${dialects?.[0] ?? 'max'}`);
      } finally {
        await c.close();
      }
    }
  });
});

describe('SMB client against Samba with SMB3 only and encryption required', () => {
  let s: SambaServer;
  before(async () => {
    s = await startSamba('encrypt');
  });
  after(async () => s?.stop());

  test('encrypts with AES-128-GCM and interop works', async () => {
    const c = await SmbClient.connect(opts(s));
    try {
      assert.equal(c.facts.dialect, '3.1.1');
      assert.equal(c.facts.encryption, 'aes-128-gcm');
      await interop(s, c, 'encrypt');
    } finally {
      await c.close();
    }
  });

  test('an SMB2-only client gets a clear NOT_SUPPORTED', async () => {
    const e = await SmbClient.connect(opts(s, { dialects: ['2.1'] })).catch((x) => x);
    assert.ok(isSyncError(e, 'NOT_SUPPORTED'), String(e));
    assert.match(e.text.es, /dialectos/);
  });
});

describe('SMB client over port 139 (NetBIOS session service)', () => {
  let s: SambaServer;
  before(async () => {
    s = await startSamba('port139');
  });
  after(async () => s?.stop());

  test('with no port given it falls back from 445 to 139 and works', async () => {
    const c = await SmbClient.connect({ host: s.host, username: s.user, password: s.password, timeoutMs: 15000 });
    try {
      assert.equal(c.facts.port, 139);
      assert.equal(c.facts.transport, 'netbios');
      assert.equal(c.facts.largeMtu, false); // Samba turns LARGE_MTU off on 139: 64 KiB requests
      await interop(s, c, 'p139');
    } finally {
      await c.close();
    }
  });
});

describe('SMB client against Samba that maps unknown users to guest', () => {
  let s: SambaServer;
  before(async () => {
    s = await startSamba('guest');
  });
  after(async () => s?.stop());

  test('an unknown user is refused (AUTH_FAILED), not silently logged in as guest', async () => {
    const e = await SmbClient.connect(opts(s, { username: 'nadie', password: 'x' })).catch((x) => x);
    assert.ok(isSyncError(e, 'AUTH_FAILED'), String(e));
    assert.equal(e.details?.ntstatus, 'SESSION_FLAG_IS_GUEST');
    // Only when asked for: a guest session, unsigned.
    const g = await SmbClient.connect(opts(s, { username: 'nadie', password: 'x', allowGuest: true }));
    try {
      assert.equal(g.facts.guest, true);
      assert.equal(g.facts.signing, false);
    } finally {
      await g.close();
    }
    // The real user still logs in normally.
    const c = await SmbClient.connect(opts(s));
    assert.equal(c.facts.guest, false);
    await c.close();
  });
});
