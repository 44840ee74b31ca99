#!/usr/bin/env node
// Runs the built CLI (npm run build makes dist/).
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv))
  .catch((err) => {
    console.error(err?.message ?? err);
    process.exit(1);
  });
