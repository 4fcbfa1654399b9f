import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import {
  DocumentPublishError,
  parseManifest,
  publishDocuments,
  type PublishOutcome,
} from '../db/queries/document-queries.js';
import { DASHBOARD_APP } from './demo-agreements.js';

/** This checkout's folder (the module is `src/demo/` or `dist/demo/` below it). */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The dashboard's persisted-documents manifest, written by `npm run codegen` (codegen.ts). */
export const DASHBOARD_MANIFEST = path.join(
  PACKAGE_DIR,
  'dashboard',
  'src',
  'gql',
  'persisted-documents.json',
);

export interface PublishedDashboard {
  app: string;
  version: string;
  documents: number;
  outcome: PublishOutcome;
}

/**
 * Publishes the dashboard's own trusted documents as application `dtks-dashboard` (the one the
 * demo `pusdatin-dashboard` may run), version = this package's version, as `serve --demo` does
 * before serving. Restarting publishes nothing new. When that version is already published with
 * other documents (the documents were edited and the package version not raised, as happens
 * while developing), they are published as `<version>+<first 12 hex digits of the manifest's
 * SHA-256>` instead, so the demo always serves the documents of this checkout.
 */
export async function publishDashboardDocuments(
  db: Kysely<Database>,
  options: { manifest?: string; version?: string } = {},
): Promise<PublishedDashboard> {
  const file = options.manifest ?? DASHBOARD_MANIFEST;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(
      `the dashboard's documents are missing (${path.relative(PACKAGE_DIR, file)}); run npm run codegen`,
    );
  }
  const documents = parseManifest(text);
  const version = options.version ?? (await packageVersion());
  try {
    const outcome = await publishDocuments(db, DASHBOARD_APP, version, documents);
    return { app: DASHBOARD_APP, version, documents: documents.size, outcome };
  } catch (error) {
    if (!(error instanceof DocumentPublishError)) throw error;
    const digest = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
    const edited = `${version.split('+')[0]}+${digest}`;
    const outcome = await publishDocuments(db, DASHBOARD_APP, edited, documents);
    return { app: DASHBOARD_APP, version: edited, documents: documents.size, outcome };
  }
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
