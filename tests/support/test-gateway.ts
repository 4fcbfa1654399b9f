import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '../../src/logger.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import type { WebhookDeliveryOptions } from '../../src/changes/webhook-deliveries.js';
import type { DciCallbackOptions } from '../../src/dci/dci-callbacks.js';
import type { MetricsEndpointOptions } from '../../src/server/metrics-endpoint.js';
import type { AdmissionOptions } from '../../src/server/request-admission.js';
import type { TestDatabase } from './test-database.js';

export interface TestGateway extends Gateway {
  /** The gateway's DTKS_DATA_DIR (keys live there). */
  dataDir: string;
}

/**
 * A gateway on a free loopback port over a test database, with its own key folder. It serves as
 * the least-privilege runtime role, as `serve` does, so a statement the role may not run fails
 * here too.
 */
export async function startTestGateway(
  database: TestDatabase,
  options: {
    security?: 'on' | 'off';
    globalPrivacyBudget?: number;
    /** Share another gateway's keys (its tokens are valid here too). */
    dataDir?: string;
    /** The gateway's logger (default: silent). */
    logger?: Logger;
    /** Where the built dashboard page is (default: dist/dashboard). */
    dashboardDir?: string;
    /** Push change events to webhooks, with this pacing (default: off). */
    webhooks?: Partial<WebhookDeliveryOptions>;
    /** Send DCI callbacks, with this pacing (default: off). */
    dciCallbacks?: Partial<DciCallbackOptions>;
    /** Requests at once and their wait (default: the gateway's defaults). */
    admission?: Partial<AdmissionOptions>;
    /** Where `/metrics` is served and whether it asks for a token (default: main port, open). */
    metrics?: MetricsEndpointOptions;
    /** With a read replica: its lag bound and check interval (default: the gateway's). */
    readReplica?: { maxLagMs?: number; checkEveryMs?: number };
  } = {},
): Promise<TestGateway> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'dtks-gw-')));
  const gateway = await startGateway({
    database: database.runtime,
    logger: options.logger ?? createLogger('silent'),
    config: {
      dataDir,
      tokens: { issuer: 'dtks-gateway', audience: 'dtks-gateway', external: null },
      development: false,
      ...(options.globalPrivacyBudget !== undefined
        ? { globalPrivacyBudget: options.globalPrivacyBudget }
        : {}),
    },
    port: 0,
    host: '127.0.0.1',
    security: options.security,
    ...(options.dashboardDir !== undefined ? { dashboardDir: options.dashboardDir } : {}),
    ...(options.webhooks !== undefined ? { webhooks: options.webhooks } : {}),
    ...(options.dciCallbacks !== undefined ? { dciCallbacks: options.dciCallbacks } : {}),
    ...(options.admission !== undefined ? { admission: options.admission } : {}),
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    ...(options.readReplica !== undefined ? { readReplica: options.readReplica } : {}),
  });
  return { ...gateway, dataDir };
}

export interface GraphQLResult {
  status: number;
  headers: Headers;
  body: {
    data?: unknown;
    errors?: Array<{
      message: string;
      path?: Array<string | number>;
      extensions?: { code?: string };
    }>;
    extensions?: { disclosure?: Array<{ path: string; rule: string; mask?: string }> };
  };
}

/** POSTs a GraphQL operation and returns the status, headers and parsed body. */
export async function graphql(
  gateway: Gateway,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResult> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as never,
  };
}
