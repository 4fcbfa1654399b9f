import 'reflect-metadata';
import { Command } from 'commander';
import { registerGenerate } from './commands/generate.command.js';
import { registerImport } from './commands/import.command.js';
import { registerMigrate } from './commands/migrate.command.js';
import { registerSeed } from './commands/seed.command.js';
import { registerServe } from './commands/serve.command.js';

/** The `dtks-gateway` command (CONTRACT §3). Each command lives in `src/commands/`. */
export function buildProgram(): Command {
  const program = new Command('dtks-gateway')
    .description('GraphQL data-sharing gateway for the DTKS/DTSEN social-welfare registry')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerServe(program);
  registerMigrate(program);
  registerGenerate(program);
  registerImport(program);
  registerSeed(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
