import './production-mode.js';
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAudit } from './commands/audit.command.js';
import { registerCheck } from './commands/check.command.js';
import { registerClients } from './commands/clients.command.js';
import { registerDci } from './commands/dci.command.js';
import { registerDeliveries } from './commands/deliveries.command.js';
import { registerDemo } from './commands/demo.command.js';
import { registerDocuments } from './commands/documents.command.js';
import { registerGenerate } from './commands/generate.command.js';
import { registerImport } from './commands/import.command.js';
import { registerKeys } from './commands/keys.command.js';
import { registerMigrate } from './commands/migrate.command.js';
import { registerRules } from './commands/rules.command.js';
import { registerSeed } from './commands/seed.command.js';
import { registerServe } from './commands/serve.command.js';
import { registerToken } from './commands/token.command.js';
import { registerVerifications } from './commands/verifications.command.js';

/**
 * The package's version, read at run time from the package.json next to `src/` or `dist/` (this
 * module is one folder below it in both), so a build never carries a stale copy.
 */
export function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The `dtks-gateway` command (CONTRACT §3). Each command lives in `src/commands/`. */
export function buildProgram(): Command {
  const program = new Command('dtks-gateway')
    .description('GraphQL data-sharing gateway for the DTKS/DTSEN social-welfare registry')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError()
    // `--version` is the program's only before a command: `documents publish --version V` is the
    // command's own option.
    .enablePositionalOptions()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerServe(program);
  registerMigrate(program);
  registerGenerate(program);
  registerImport(program);
  registerSeed(program);
  registerToken(program);
  registerClients(program);
  registerRules(program);
  registerDci(program);
  registerDeliveries(program);
  registerKeys(program);
  registerAudit(program);
  registerCheck(program);
  registerVerifications(program);
  registerDemo(program);
  registerDocuments(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
