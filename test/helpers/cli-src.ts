// The CLI run from the sources (tsx), for tests that need a real command process without `npm run build`.
import { main } from '../../src/cli/main.js';

await main(process.argv);
