/**
 * A bench's child script (an engine sync in its own process, so its peak memory is its own), bundled next to
 * node_modules so that its one external, better-sqlite3 (a native module), resolves.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles `contents` (TypeScript importing ./src/...) as `<name>.mjs`; returns its path. */
export function bundleChild(name: string, contents: string): string {
  const outfile = path.join(root, 'node_modules', '.cache', 'cordiax-bench', `${name}.mjs`);
  buildSync({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3'],
    logLevel: 'error',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}
