#!/usr/bin/env node
// npm run bench [filter...]: runs each bench/*.bench.ts in its own process (so peak RSS figures are per bench).
// Each bench prints its figures as ratios against a peer tool measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const filter = process.argv.slice(2);
let files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join('bench', f)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
