/**
 * The encryption truth in the page (issue 15, item 5): the server's plaintext versions and "Cifrar ahora" (after a
 * confirmation), "Generar clave" with where the key is and why a copy matters, and a write-only passphrase field.
 */
import type { EncryptNowResponse, KeygenResponse, StatusReport } from '../api-types.js';
import { h } from './dom.js';
import { tr } from './i18n.js';
import { post } from './client.js';
import { app } from './state.js';
import { getKey, setKey } from './fields.js';
import { button, confirmDialog, toast, toastFailure } from './ui.js';
import { clearSavedProblem, syncBlockedReason, withReason } from './truth.js';

let encrypting = false;

/** The warning under the status while the server still holds plaintext versions, with "Cifrar ahora". */
export function plaintextNotice(s: StatusReport, redraw: () => void): HTMLElement | null {
  if (s.encryption === 'off' || !s.remotePlaintext) return null;
  const blocked = s.blockedBy ? tr('truth.why_encrypt_blocked') : syncBlockedReason(s);
  return h(
    'div',
    { class: 'alert tone-warn', id: 'plaintext-warning' },
    h('strong', {}, tr('truth.server_plaintext_title')),
    h('div', {}, tr('truth.server_plaintext_text', { count: s.remotePlaintext })),
    h(
      'div',
      { class: 'actions' },
      withReason(
        button(tr('truth.encrypt_now'), {
          kind: 'primary',
          id: 'encrypt-now',
          busy: encrypting,
          busyLabel: tr('truth.encrypting'),
          disabled: Boolean(blocked),
          onclick: () => void encryptNow(redraw),
        }),
        blocked,
      ),
    ),
  );
}

async function encryptNow(redraw: () => void): Promise<void> {
  const ok = await confirmDialog(
    tr('truth.encrypt_now_confirm_title'),
    tr('truth.encrypt_now_confirm_text'),
    tr('truth.encrypt_now_confirm_ok'),
  );
  if (!ok) return;
  encrypting = true;
  redraw();
  try {
    const r = await post<EncryptNowResponse>('/api/encryption/encrypt-now');
    app.status = r.status;
    toast('ok', tr('truth.encrypt_now_done'), tr('truth.encrypt_now_done_text', { generation: r.generation ?? '—' }));
  } catch (err) {
    toastFailure(err);
  } finally {
    encrypting = false;
    redraw();
  }
}

// ---------- encryption: "Generar clave", the passphrase ----------

/** The passphrase typed in the form: sent to its own endpoint on Guardar, never kept in the draft. */
export const passphrase = { typed: '' };
let generated: KeygenResponse | null = null;
let generating = false;

/** The extras of the encryption section: "Generar clave" (X25519) or the passphrase field (passphrase mode). */
export function encryptionExtras(redraw: () => void, changed: () => void): HTMLElement {
  const mode = getKey(app.draft, 'encryption.mode') === 'passphrase' ? 'passphrase' : 'x25519';
  if (mode === 'passphrase') {
    const isSet = typeof getKey(app.config, 'encryption.passphrase_file') === 'string';
    return h(
      'div',
      { class: 'field wide', 'data-key': 'encryption.passphrase' },
      h('label', { for: 'f-encryption-passphrase' }, tr('truth.passphrase_label')),
      h('input', {
        type: 'password',
        id: 'f-encryption-passphrase',
        name: 'encryption.passphrase',
        autocomplete: 'new-password',
        value: passphrase.typed,
        placeholder: isSet ? tr('ui.type_change') : '',
        'aria-describedby': 'f-encryption-passphrase-help f-encryption-passphrase-error',
        oninput: (ev: Event) => {
          passphrase.typed = (ev.target as HTMLInputElement).value;
          changed();
        },
      }),
      isSet ? h('div', { class: 'secret-state' }, h('span', { class: 'chip chip-ok' }, tr('ui.stored'))) : null,
      h('div', { class: 'help', id: 'f-encryption-passphrase-help' }, tr('truth.passphrase_help')),
      h('div', { class: 'field-error', id: 'f-encryption-passphrase-error', role: 'alert' }),
    );
  }
  return h(
    'div',
    { class: 'keygen wide', id: 'keygen' },
    h(
      'div',
      { class: 'test-row' },
      button(tr('truth.generate_key'), {
        id: 'generate-key',
        busy: generating,
        onclick: () => void generateKey(redraw),
      }),
      h('span', { class: 'muted small' }, tr('truth.generate_key_help')),
    ),
    generated
      ? h(
          'div',
          { class: 'alert tone-warn', id: 'key-created', role: 'status' },
          h('strong', {}, tr('truth.key_created_title')),
          h('div', {}, tr('truth.key_created_where'), ' ', h('code', { class: 'path' }, generated.identityFile)),
          h('div', {}, tr('truth.key_created_keep_copy')),
        )
      : null,
  );
}

async function generateKey(redraw: () => void): Promise<void> {
  generating = true;
  redraw();
  try {
    generated = await post<KeygenResponse>('/api/encryption/keygen');
    const recipients = getKey(app.draft, 'encryption.recipients');
    const list = Array.isArray(recipients) ? (recipients as string[]) : [];
    setKey(app.draft, 'encryption.recipients', [
      ...list.filter((r) => r !== generated!.recipient),
      generated.recipient,
    ]);
    setKey(app.draft, 'encryption.identity_file', generated.identityFile);
    delete app.errors['encryption.recipients'];
    delete app.errors['encryption.identity_file'];
    clearSavedProblem('encryption.recipients');
    clearSavedProblem('encryption.identity_file');
  } catch (err) {
    toastFailure(err);
  } finally {
    generating = false;
    redraw();
  }
}
