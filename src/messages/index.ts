/**
 * Every message the program shows, Spanish first and English beside it, in one catalogue split by area. Keys are
 * the stable codes where one exists (`event.SYNC_END`, `crypto.wrong-passphrase`, `smb.LOGON_FAILURE`,
 * `error.TIMEOUT`), otherwise `<area>.<words of the English text>`. Pure data and tiny functions: the browser
 * bundle imports it too.
 */
import { apiMessages } from './api.js';
import { cliMessages } from './cli.js';
import { commonMessages } from './common.js';
import { configMessages } from './config.js';
import { cryptoMessages } from './crypto.js';
import { dbMessages } from './db.js';
import { deltaMessages } from './delta.js';
import { engineMessages } from './engine.js';
import { errorMessages } from './error.js';
import { eventMessages } from './event.js';
import { folderMessages } from './folder.js';
import { serverMessages } from './server.js';
import { serviceMessages } from './service.js';
import { smbMessages } from './smb.js';
import { socketioMessages } from './socketio.js';
import { type Param, type ParamArgs, render, type Text } from './text.js';
import { tlsMessages } from './tls.js';
import { transportMessages } from './transport.js';
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
  ...cryptoMessages,
  ...transportMessages,
  ...webdavMessages,
  ...smbMessages,
  ...socketioMessages,
  ...folderMessages,
  ...serverMessages,
  ...apiMessages,
  ...uiMessages,
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
  return hasMessage(key) ? messages[key] : { es: protocol, en: protocol };
}
