#!/usr/bin/env node
// Builds the web UI into dist/ui/public/: the page's TypeScript bundled by esbuild (one app.js), the stylesheet,
// index.html and the icon. Everything the page needs is in that folder: nothing is fetched at run time.
// Files are written under temporary names and renamed, so a running server never serves half a file.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src/ui/web');
const out = path.join(root, 'dist/ui/public');
mkdirSync(out, { recursive: true });

function put(name, data) {
  const tmp = path.join(out, `.${name}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path.join(out, name));
}

const common = { bundle: true, minify: true, write: false, logLevel: 'warning', legalComments: 'none' };
const [js, css] = await Promise.all([
  build({
    ...common,
    entryPoints: [path.join(src, 'main.ts')],
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    platform: 'browser',
    outfile: 'app.js',
  }),
  build({
    ...common,
    entryPoints: [path.join(src, 'styles.css')],
    target: ['chrome110', 'firefox110', 'safari16'],
    outfile: 'app.css',
  }),
]);
put('app.js', js.outputFiles[0].contents);
put('app.css', css.outputFiles[0].contents);
put('index.html', readFileSync(path.join(src, 'index.html')));
put('favicon.svg', readFileSync(path.join(src, 'favicon.svg')));
console.log(
  `[build-ui] ${path.relative(root, out)}: app.js ${js.outputFiles[0].contents.length} B, app.css ${css.outputFiles[0].contents.length} B`,
);
