import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import {
  APP_NAME_PATTERN,
  APP_VERSION_PATTERN,
  DocumentPublishError,
  listPublished,
  parseManifest,
  publishDocuments,
} from '../db/queries/document-queries.js';

/** The header row of `documents list` (tab-separated, like its rows). */
export const DOCUMENTS_LIST_HEADER = ['APP', 'VERSION', 'DOCUMENTS', 'PUBLISHED_AT'] as const;

function parseApp(value: string): string {
  if (!APP_NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError('1–63 lower-case letters, digits, ".", "_" or "-"');
  }
  return value;
}

function parseVersion(value: string): string {
  if (!APP_VERSION_PATTERN.test(value)) {
    throw new InvalidArgumentError('1–64 letters, digits, ".", "+", "_" or "-"');
  }
  return value;
}

/**
 * `dtks-gateway documents publish / list` (CONTRACT §10): the trusted documents of client
 * applications, as an operator publishes them (as the owner of the database; the serving gateway
 * only reads them). docs/security.md, "Trusted documents".
 */
export function registerDocuments(program: Command): void {
  const documents = program
    .command('documents')
    .description("publish and list client applications' trusted GraphQL documents");

  documents
    .command('publish')
    .description(
      'publish a persisted-documents manifest (id → document, as GraphQL Code Generator writes it) ' +
        'as one version of an application',
    )
    .requiredOption('--app <name>', 'the client application, e.g. dtks-dashboard', parseApp)
    .requiredOption('--version <version>', "the application's version, e.g. 1.4.0", parseVersion)
    .argument('<file>', 'the manifest, e.g. dashboard/src/gql/persisted-documents.json')
    .action((file: string, o: { app: string; version: string }) =>
      runCommand('documents publish', async (env) => {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          throw new CommandError(
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
          );
        }
        // The whole manifest is checked before the database is opened.
        const manifest = await checked(async () => parseManifest(text));
        const outcome = await withDatabase(env, 'documents publish', (database) =>
          checked(() => publishDocuments(database.db, o.app, o.version, manifest)),
        );
        const count = `${manifest.size} document${manifest.size === 1 ? '' : 's'}`;
        console.log(
          outcome === 'published'
            ? `published ${count} as ${o.app}@${o.version}`
            : `${o.app}@${o.version} is already published with these ${count}; nothing changed`,
        );
      }),
    );

  documents
    .command('list')
    .description(
      'list published application versions: a header row, then one tab-separated row each',
    )
    .option('--app <name>', 'only this application', parseApp)
    .action((o: { app?: string }) =>
      runCommand('documents list', (env) =>
        withDatabase(env, 'documents list', async (database) => {
          console.log(DOCUMENTS_LIST_HEADER.join('\t'));
          for (const v of await listPublished(database.db, o.app)) {
            console.log(
              [v.app, v.version, String(v.documents), v.publishedAt.toISOString()].join('\t'),
            );
          }
        }),
      ),
    );
}

/** Runs `body`, turning a refused manifest or publication into the command's one-line reason. */
async function checked<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw error instanceof DocumentPublishError ? new CommandError(error.message) : error;
  }
}
