/** `cordiax-sync server ...` as the lead's CLI will run it: a commander program with the server command. */
import { Command } from 'commander';
import { registerServerCommand } from '../../src/cli/commands/server.js';

const program = new Command('cordiax-sync');
registerServerCommand(program);
await program.parseAsync(process.argv);
