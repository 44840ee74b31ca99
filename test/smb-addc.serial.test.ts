/**
 * A domain user of a real Samba AD DC (domain CORDIAX, realm CORDIAX.TEST) logs in with NTLMv2 through our client,
 * in the three ways a user may write it: domain field, DOMAIN\user, user@realm. Signing is mandatory on a DC.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SmbClient } from '../src/smb/index.js';
import { isSyncError } from '../src/errors.js';
import { startAdDc, smbConfig, memoryLog, type SambaServer } from './helpers/samba.js';
import { SmbTransport } from '../src/transports/smb/index.js';
import { tmpDir } from './helpers/system.js';

describe('SMB client against a Samba AD DC (domain CORDIAX)', () => {
  let dc: SambaServer;
  before(async () => {
    dc = await startAdDc();
  });
  after(async () => dc?.stop());

  for (const [label, username, domain] of [
    ['domain field', 'cordiax', 'CORDIAX'],
    ['DOMAIN\\user', 'CORDIAX\\cordiax', undefined],
    ['user@realm', 'cordiax@CORDIAX.TEST', undefined],
  ] as const) {
    test(`domain user logs in (${label}), signing mandatory, round trip`, async () => {
      const c = await SmbClient.connect({
        host: dc.host,
        port: 445,
        username,
        password: dc.password,
        domain,
        timeoutMs: 15000,
      });
      try {
        assert.equal(c.facts.signingRequiredByServer, true);
        assert.equal(c.facts.signing, true);
        assert.equal(c.facts.guest, false);
        const tree = await c.treeConnect(dc.share);
        const data = randomBytes(2 * 1024 * 1024 + 3);
        const name = `dc-${label.replace(/\W/g, '')}.bin`;
        await tree.writeFile(name, data);
        assert.ok(readFileSync(path.join(dc.shareDir, name)).equals(data));
        assert.ok((await tree.readFile(name)).equals(data));
      } finally {
        await c.close();
      }
    });
  }

  test('wrong domain password: AUTH_FAILED', async () => {
    const e = await SmbClient.connect({
      host: dc.host,
      port: 445,
      username: 'cordiax',
      password: 'Wrong-pass-1',
      domain: 'CORDIAX',
      timeoutMs: 15000,
    }).catch((x) => x);
    assert.ok(isSyncError(e, 'AUTH_FAILED'), String(e));
  });

  test('transport "Probar Conexión" against the DC reports the domain login', async () => {
    const log = memoryLog();
    const t = new SmbTransport(smbConfig(dc, { remote_path: '/cordiax_sync/' }), {
      log,
      tmpDir: tmpDir(),
      device: 'pc-dc',
    });
    try {
      const report = await t.test();
      assert.equal(report.ok, true, JSON.stringify(report.error));
      assert.equal(report.facts.domain, 'CORDIAX');
      assert.equal(report.facts.signing, true);
      assert.ok(!JSON.stringify(log.events).includes(dc.password));
    } finally {
      await t.close();
    }
  });
});
