import type { Text } from '../errors.js';
import type { RemoteManifest } from '../transports/types.js';
import type { WireErrorCode } from '../transports/socketio/protocol.js';

/** An error the server turns into an `{ok:false}` reply. */
export class StoreError extends Error {
  constructor(
    readonly code: WireErrorCode,
    readonly text: Text,
    readonly extra: { manifest?: RemoteManifest | null; offset?: number } = {},
  ) {
    super(text.en);
  }
}
