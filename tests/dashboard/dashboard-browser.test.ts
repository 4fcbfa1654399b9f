import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecilePersonsDocument,
  RegionHouseholdsDocument,
  SnapshotHistoryDocument,
  SnapshotTotalsDocument,
  TargetingByDecileDocument,
  TargetingByRegionDocument,
  VerificationProgressDocument,
} from '../../dashboard/src/gql/graphql.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { hashClientSecret } from '../../src/auth/client-secret.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { publishDashboardDocuments } from '../../src/demo/demo-documents.js';
import { seedSyntheticSnapshot } from '../../src/snapshot/synthetic-seed.js';
import { launchChromium } from '../support/browser.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * The dashboard page in a real browser (issue #13, item 5): the distribution's Chromium driven by
 * playwright-core, the page as `vite build` makes it, served by a real gateway over a seeded
 * registry. Signs in as `pusdatin-dashboard`, opens every view, and checks that the figures on
 * screen are the GraphQL answers, that no request carries query text, that a hidden figure
 * never shows a number, and that a wrong secret and an ended session say so. Saves screenshots
 * to test-results/screenshots (and, with UPDATE_SCREENSHOTS=1, to docs/screenshots for the README).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const AS_OF = '2026-06-30';

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let browser: Browser;
let page: Page;
let distDir: string;
const requestBodies: string[] = [];

beforeAll(async () => {
  distDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-dashboard-'));
  await build({
    configFile: path.join(ROOT, 'dashboard', 'vite.config.ts'),
    build: { outDir: distDir, emptyOutDir: true },
    logLevel: 'error',
  });
  db = await createTestDatabase();
  await seedSyntheticSnapshot(db, { persons: 20_000, seed: 'demo', asOf: AS_OF });
  gateway = await startTestGateway(db, { dashboardDir: distDir });
  access = await demoAccess(db, gateway);
  await publishDashboardDocuments(db.db);
  // Some use of the gateway by a local government, for the gateway-use view.
  const pemda = await access.as('pemda-3201', 'VERIVALI');
  for (let i = 0; i < 3; i++) {
    await graphql(gateway, '{ households(first: 2) { totalCount } }', { headers: pemda });
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql')) requestBodies.push(request.postData() ?? '');
  });
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await db?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

/** A published document run directly against the gateway, as the dashboard client. */
async function api<T>(document: unknown, variables: object): Promise<T> {
  const documentId = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await access.as('pusdatin-dashboard', 'MONITORING')),
    },
    body: JSON.stringify({ documentId, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** How the page writes a figure: Indonesian digit grouping, or "< 10" for a hidden one. */
function shown(value: number | null | undefined, suppressed: boolean): string {
  return suppressed
    ? '< 10'
    : value === null || value === undefined
      ? '–'
      : value.toLocaleString('id-ID');
}

/** The rows of a panel's table by their code (`data-code`), as [label, …figures]. */
async function rowsByCode(id: string): Promise<Map<string, string[]>> {
  await page.waitForSelector(`[data-table="${id}"]`, { state: 'attached' });
  const rows = await page.$$eval(`[data-table="${id}"] tbody tr`, (trs) =>
    trs.map((row) => [
      row.getAttribute('data-code') ?? '',
      ...[...row.children].map((cell) => cell.textContent?.trim() ?? ''),
    ]),
  );
  return new Map(rows.map(([code, ...cells]) => [code!, cells]));
}

/** The rows of a panel's table as [label, …figures] (the table exists even while hidden). */
async function tableRows(id: string): Promise<string[][]> {
  await page.waitForSelector(`[data-table="${id}"]`, { state: 'attached' });
  return page.$$eval(`[data-table="${id}"] tbody tr`, (rows) =>
    rows.map((row) => [...row.children].map((cell) => cell.textContent?.trim() ?? '')),
  );
}

/** Waits until the sign-in form's message says `text`. */
async function expectMessage(text: string): Promise<void> {
  await page.waitForSelector(`#sign-in-error:has-text("${text}")`, { timeout: 20_000 });
}

async function screenshot(name: string): Promise<void> {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await mkdir(path.join(ROOT, 'docs', 'screenshots'), { recursive: true });
    await copyFile(file, path.join(ROOT, 'docs', 'screenshots', `dashboard-${name}.png`));
  }
}

async function waitForView(panelId: string): Promise<void> {
  await page.waitForSelector(`[data-table="${panelId}"]`, { state: 'attached', timeout: 20_000 });
  await page.waitForTimeout(300); // let the charts draw
}

interface Cells {
  statistics: {
    cells: Array<{
      key: Array<{ code: string; label: string }>;
      value?: number | null;
      suppressed: boolean;
    }>;
  };
}

describe('the dashboard page', () => {
  it('says so clearly when the secret is wrong', async () => {
    await page.goto(`${gateway.url}/`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.fill('#secret', 'not-the-secret');
    await page.click('button[type="submit"]');
    await expectMessage('Client ID atau secret salah.');
    await screenshot('sign-in');
  });

  it('signs in and shows the national overview with the figures the API gives', async () => {
    await page.fill('#secret', access.secrets['pusdatin-dashboard']!);
    await page.click('button[type="submit"]');
    await waitForView('households-by-province');
    const totals = await api<{ snapshot: { households: number; persons: number } }>(
      SnapshotTotalsDocument,
      {},
    );
    expect(await page.textContent('[data-kpi="households"]')).toBe(
      shown(totals.snapshot.households, false),
    );
    expect(await page.textContent('[data-kpi="persons"]')).toBe(
      shown(totals.snapshot.persons, false),
    );
    const provinces = await api<Cells>(RegionHouseholdsDocument, {
      level: 'PROVINCE',
      regionCode: null,
    });
    expect(await tableRows('households-by-province')).toEqual(
      provinces.statistics.cells.map((c) => [c.key[0]!.label.trim(), shown(c.value, c.suppressed)]),
    );
    const deciles = await api<Cells>(DecilePersonsDocument, { regionCode: null });
    expect(await tableRows('persons-by-decile')).toEqual(
      deciles.statistics.cells.map((c) => [
        `Desil ${c.key[0]!.code}`,
        shown(c.value, c.suppressed),
      ]),
    );
    await screenshot('overview');
  });

  it('drills down from a province to its regencies and districts', async () => {
    // The table view (the chart's twin for keyboard and screen-reader users) has the links.
    await page.click(
      'section[aria-labelledby="households-by-province-title"] .panel-tools button >> nth=0',
    );
    await page.click('[data-table="households-by-province"] tr[data-code="32"] button');
    await waitForView('households-by-regency');
    const regencies = await api<Cells>(RegionHouseholdsDocument, {
      level: 'REGENCY',
      regionCode: '32',
    });
    expect(await tableRows('households-by-regency')).toEqual(
      regencies.statistics.cells.map((c) => [c.key[0]!.label.trim(), shown(c.value, c.suppressed)]),
    );
    await page.goto(`${gateway.url}/dashboard/#/region/3201`);
    await waitForView('households-by-district');
    const districts = await api<Cells>(RegionHouseholdsDocument, {
      level: 'DISTRICT',
      regionCode: '3201',
    });
    const rows = await tableRows('households-by-district');
    expect(rows).toEqual(
      districts.statistics.cells.map((c) => [c.key[0]!.label.trim(), shown(c.value, c.suppressed)]),
    );
    // Hidden figures: never a number, in the table and in the chart.
    expect(districts.statistics.cells.some((c) => c.suppressed)).toBe(true);
    const hidden = await page.$$eval(
      '[data-table="households-by-district"] td.hidden-figure',
      (cells) => cells.map((cell) => cell.textContent),
    );
    expect(hidden.length).toBe(districts.statistics.cells.filter((c) => c.suppressed).length);
    expect(new Set(hidden)).toEqual(new Set(['< 10']));
    const chartText = await page.textContent('[data-chart="households-by-district"]');
    expect(chartText).toContain('< 10');
    await screenshot('regency');
  });

  it('shows program targeting per decile and region as the API gives it', async () => {
    await page.click('nav a[href="#/targeting"]');
    await waitForView('targeting-by-decile');
    const program = 'PBI_JK';
    await page.selectOption('#targeting-program', program);
    await page.click('.filters button[type="submit"]');
    await page.waitForFunction(`location.hash === '#/targeting/${program}/all'`);
    await waitForView('targeting-by-decile');
    const measures = ['RECIPIENTS', 'ELIGIBLE_NON_RECIPIENTS', 'RECIPIENTS_NOT_ELIGIBLE'];
    const answers = await Promise.all(
      measures.map((measure) =>
        api<Cells>(TargetingByDecileDocument, { measure, program, regionCode: null }),
      ),
    );
    const rows = await tableRows('targeting-by-decile');
    expect(rows.length).toBe(answers[0]!.statistics.cells.length);
    answers.forEach((answer, column) => {
      answer.statistics.cells.forEach((cell, i) => {
        expect(rows[i]![column + 1], `${measures[column]} decile ${cell.key[0]!.code}`).toBe(
          shown(cell.value, cell.suppressed),
        );
      });
    });
    const byRegion = await api<Cells>(TargetingByRegionDocument, {
      measure: 'RECIPIENTS_NOT_ELIGIBLE',
      program,
      level: 'PROVINCE',
      regionCode: null,
    });
    const regionRows = await rowsByCode('targeting-by-region');
    for (const cell of byRegion.statistics.cells) {
      expect(regionRows.get(cell.key[0]!.code)![2], cell.key[0]!.code).toBe(
        shown(cell.value, cell.suppressed),
      );
    }
    await screenshot('targeting');
  });

  it('shows verification progress per regency as the API gives it', async () => {
    await page.click('nav a[href="#/verivali"]');
    await waitForView('verivali-submissions');
    const since = await page.inputValue('#verivali-since');
    const progress = await api<{
      verificationProgress: {
        regencies: Array<{
          regencyCode: string;
          regencyName: string;
          suppressed: boolean;
          households: { value?: number | null; suppressed: boolean };
          neverVerified: { value?: number | null; suppressed: boolean };
        }>;
      };
    }>(VerificationProgressDocument, { regionCode: null, notVerifiedSince: `${since}-01` });
    const rows = await rowsByCode('verivali-never-verified');
    expect(rows.size).toBe(progress.verificationProgress.regencies.length);
    for (const r of progress.verificationProgress.regencies) {
      const row = rows.get(r.regencyCode)!;
      expect(row[0], r.regencyCode).toContain(r.regencyName.trim());
      expect(row[1], r.regencyName).toBe(shown(r.households.value, r.households.suppressed));
      expect(row[2], r.regencyName).toBe(shown(r.neverVerified.value, r.neverVerified.suppressed));
    }
    await screenshot('verivali');
  });

  it('shows the snapshot history and the gateway use', async () => {
    await page.click('nav a[href="#/snapshots"]');
    await waitForView('snapshot-list');
    const history = await api<{ snapshotHistory: Array<{ asOf: string; persons: number }> }>(
      SnapshotHistoryDocument,
      { first: 40 },
    );
    const rows = await tableRows('snapshot-list');
    expect(rows.map((r) => r[2])).toEqual(
      history.snapshotHistory.map((s) => shown(s.persons, false)),
    );
    await screenshot('snapshots');

    await page.click('nav a[href="#/use"]');
    await waitForView('use-by-agency');
    const uses = await tableRows('use-by-agency');
    expect(
      uses.some((r) => r[0]!.includes('Pemerintah Kabupaten Bogor')),
      JSON.stringify(uses.slice(0, 5)),
    ).toBe(true);
    await screenshot('use');
  });

  it('is usable from the keyboard alone', async () => {
    await page.goto(`${gateway.url}/dashboard/#/overview`);
    await waitForView('households-by-province');
    await page.focus('nav a[href="#/snapshots"]');
    await page.keyboard.press('Enter');
    await waitForView('snapshot-list');
    expect(new URL(page.url()).hash).toBe('#/snapshots');
  });

  it('sent every query as a published document id, never as text', () => {
    expect(requestBodies.length).toBeGreaterThan(5);
    for (const body of requestBodies) {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      expect(Object.keys(parsed).sort()).toEqual(['documentId', 'variables']);
      expect(parsed.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('asks to sign in again when the session ends', async () => {
    // The dashboard's credentials change (as after a leak): tokens issued before are refused.
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'pusdatin-dashboard')!;
    await saveClient(db.db, registration(demo, await hashClientSecret('a-new-secret')));
    await page.click('nav a[href="#/overview"]');
    await page.waitForSelector('#sign-in-error');
    await expectMessage('Sesi berakhir. Silakan masuk lagi.');
  });
});
