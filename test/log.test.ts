import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { EventLog } from '../src/log/event-log.js';
import { redact, redactString, registerSecret, clearSecrets } from '../src/log/redact.js';
import { SyncError } from '../src/errors.js';
import { tmpDir } from './helpers/system.js';

test('redaction: secret keys, registered secrets anywhere, URL credentials', () => {
  clearSecrets();
  registerSecret('Hunter2-Clave');
  const obj = {
    webdav: { url: 'https://ana:Hunter2-Clave@cloud.example.com/dav', password: 'Hunter2-Clave', username: 'ana' },
    msg: 'error con Hunter2-Clave y Hunter2%2DClave',
    token: 't0k3n',
    empty_password: '',
  };
  const r = redact(obj);
  assert.equal(r.webdav.password, '***');
  assert.equal(r.webdav.username, 'ana');
  assert.equal(r.token, '***');
  assert.equal(r.empty_password, '');
  assert.ok(!JSON.stringify(r).includes('Hunter2-Clave'));
  assert.equal(redactString('http://u:pw@h/x'), 'http://u:***@h/x');
  const e = redact(new SyncError('AUTH_FAILED', { es: 'falló con Hunter2-Clave', en: 'failed with Hunter2-Clave' }));
  assert.ok(!JSON.stringify(e).includes('Hunter2-Clave'));
  clearSecrets();
});

test('event log: ring buffer, subscribers, JSONL file 0600 with secrets redacted, rotation, history on restart', () => {
  clearSecrets();
  registerSecret('Zorro-Secreto-1');
  const dir = path.join(tmpDir(), 'logs');
  const log = new EventLog({ dir, capacity: 5, maxFileBytes: 2000, maxFiles: 3 });
  const seen: string[] = [];
  const unsub = log.subscribe((e) => seen.push(e.code ?? ''));
  for (let i = 0; i < 30; i++)
    log.emit({
      type: 'info',
      code: `E${i}`,
      text: { es: `evento ${i} con Zorro-Secreto-1`, en: `event ${i}` },
      data: { password: 'Zorro-Secreto-1', n: i },
    });
  log.emit({ type: 'progress', text: { es: 'p', en: 'p' }, data: { bytes: 1 } });
  unsub();
  log.emit({ type: 'error', code: 'AFTER', text: { es: 'x', en: 'x' } });
  assert.equal(seen.length, 31);
  assert.equal(log.recent(100).length, 5);
  assert.equal(log.recent(100).at(-1)!.code, 'AFTER');
  assert.equal(log.recent(100).at(-1)!.level, 'error');
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['events.1.jsonl', 'events.2.jsonl', 'events.jsonl']);
  let text = '';
  for (const f of files) {
    assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600);
    text += readFileSync(path.join(dir, f), 'utf8');
  }
  assert.ok(!text.includes('Zorro-Secreto-1'));
  assert.ok(!text.includes('"progress"'), 'progress events stay in memory');
  const restarted = new EventLog({ dir });
  assert.equal(restarted.recent(1)[0]!.code, 'AFTER');
  clearSecrets();
});
