#!/usr/bin/env node
// Runs the built CLI (npm run build makes dist/).
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv))
  .catch((err) => {
    // A SyncError carries its hint (what to check or run): show it.
    console.error(typeof err?.describe === 'function' ? err.describe() : (err?.message ?? err));
    process.exit(1);
  });
