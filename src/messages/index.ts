/**
 * Every message the program shows, Spanish first and English beside it, in one catalogue split by area. Keys are
 * the stable codes where one exists (`event.SYNC_END`, `crypto.wrong-passphrase`, `smb.LOGON_FAILURE`,
 * `error.TIMEOUT`), otherwise `<area>.<words of the English text>`. Pure data and tiny functions: the browser
 * bundle imports it too.
 */
import { accessMessages } from './access.js';
import { apiMessages } from './api.js';
import { cliMessages } from './cli.js';
import { commonMessages } from './common.js';
import { configMessages } from './config.js';
import { conflictMessages } from './conflict.js';
import { cryptoMessages } from './crypto.js';
import { dbMessages } from './db.js';
import { deltaMessages } from './delta.js';
import { engineMessages } from './engine.js';
import { errorMessages } from './error.js';
import { eventMessages } from './event.js';
import { folderMessages } from './folder.js';
import { identityMessages } from './identity.js';
import { progressMessages } from './progress.js';
import { serverMessages } from './server.js';
import { serviceMessages } from './service.js';
import { smbMessages } from './smb.js';
import { sioDeltaMessages } from './sio-delta.js';
import { socketioMessages } from './socketio.js';
import { type Param, type ParamArgs, render, type Text } from './text.js';
import { tlsMessages } from './tls.js';
import { transportMessages } from './transport.js';
import { truthMessages } from './truth.js';
import { uiMessages } from './ui.js';
import { webdavMessages } from './webdav.js';

export { bilingual, type Language, type Param, type Text } from './text.js';

export const messages = {
  ...commonMessages,
  ...errorMessages,
  ...eventMessages,
  ...configMessages,
  ...cliMessages,
  ...serviceMessages,
  ...engineMessages,
  ...dbMessages,
  ...deltaMessages,
  ...conflictMessages,
  ...cryptoMessages,
  ...transportMessages,
  ...webdavMessages,
  ...smbMessages,
  ...socketioMessages,
  ...sioDeltaMessages,
  ...folderMessages,
  ...identityMessages,
  ...serverMessages,
  ...apiMessages,
  ...accessMessages,
  ...uiMessages,
  ...progressMessages,
  ...truthMessages,
  ...tlsMessages,
} as const;

type Messages = typeof messages;
export type MessageKey = keyof Messages;

/** One message in both languages, its parameters filled in. */
export function msg<K extends MessageKey>(key: K, ...params: ParamArgs<Messages[K]>): Text {
  return render(messages[key], params[0] as Record<string, Param> | undefined);
}

/** Whether a key exists (for keys built from a code at run time). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(messages, key);
}

/** How a protocol is named in a sentence ("Conexión WebDAV correcta"); an unknown name is shown as it is. */
export function protocolName(protocol: string): Text {
  const key = `common.protocol_name.${protocol}`;
  // Looked up as plain data: indexing the literal catalogue by a narrowed key builds a union too large for tsc.
  const table = messages as Record<string, Text>;
  return hasMessage(key) ? table[key]! : { es: protocol, en: protocol };
}
