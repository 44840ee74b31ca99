/**
 * cordiax SMB2/3 client: a small, dependency-free SMB2/3 client for Node (NTLMv2, signing, SMB3 encryption,
 * credits and pipelined 1 MiB I/O, STATUS_PENDING handled). Every failure is a SyncError with a stable code.
 *
 *   const client = await SmbClient.connect({ host, username, password, domain });
 *   const tree = await client.treeConnect('share');
 *   await tree.mkdirp('a/b');
 *   await tree.upload('a/b/file', fs.createReadStream(local));
 *   const { stream } = await tree.createReadStream('a/b/file');
 *   await tree.rename('a/b/file', 'a/b/other', { replace: true });
 *   client.facts; // dialect, signing, encryption, auth
 *   await client.close();
 */
export {
  SmbClient,
  SmbTree,
  SmbFile,
  toSmbPath,
  isNotFound,
  type SmbConnectOptions,
  type SmbStat,
  type OpenOptions,
  type ConnectionFacts,
} from './client.js';
export type { SessionFacts } from './session.js';
export type { DialectName } from './codec.js';
export { Status, statusName, statusError } from './ntstatus.js';
