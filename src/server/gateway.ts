import type { ApolloServerPlugin, HTTPGraphQLRequest } from '@apollo/server';
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyMiddleware } from 'graphql-middleware';
import { AuditWriter } from '../audit/audit-writer.js';
import { accessLogFor } from '../audit/access-log.js';
import { loadOrCreateCheckpointSigner } from '../audit/checkpoint-key.js';
import { loadOrCreateSubjectKey, SubjectHasher } from '../audit/subject-hash.js';
import { CursorCodec } from '../auth/cursor-codec.js';
import { createGate } from '../auth/gate.js';
import { EligibilityBatcher } from '../db/scoped/eligibility-batcher.js';
import type { Principal } from '../auth/principal.js';
import { PrincipalResolver } from '../auth/principal-resolver.js';
import { UsageLimiter } from '../auth/usage-limiter.js';
import { loadOrCreateKeyFile } from '../auth/secret-key-file.js';
import { ChangeFeedService } from '../changes/change-feed-service.js';
import { WebhookDeliveries, type WebhookDeliveryOptions } from '../changes/webhook-deliveries.js';
import { WEBHOOK_SIGNING_KEY, webhookSigningKey } from '../changes/webhook-signature.js';
import { createWebhookKeyEndpoint } from './webhook-key-endpoint.js';
import { SUBJECT_SEAL_KEY } from '../db/subject-seal.js';
import { createJwksEndpoint } from '../auth/tokens/jwks-endpoint.js';
import { createTokenEndpoint, databaseClientStore } from '../auth/tokens/oauth-token-endpoint.js';
import { loadOrCreateSigningKeys } from '../auth/tokens/signing-keys.js';
import { createTokenVerifier } from '../auth/tokens/token-verifier.js';
import {
  DEFAULT_ADMISSION,
  DEFAULT_DCI_STATUS_DAYS,
  DEFAULT_READ_MAX_LAG_MS,
  type Config,
} from '../config.js';
import { budgetMilliFromAgreement } from '../statistics/privacy/epsilon.js';
import { createPool, type DatabaseHandle } from '../db/database.js';
import { ReadRouter } from '../db/read-router.js';
import { NotificationListener } from '../db/notification-listener.js';
import { ScopedRegistry } from '../db/scoped/scoped-registry.js';
import { VerificationProgressReads } from '../db/scoped/verification-progress-reads.js';
import { PublishedTablesCache } from '../db/scoped/statistics-published-sql.js';
import { EligibilityService, type Decision } from '../eligibility/eligibility-service.js';
import { RuleCache } from '../eligibility/rule-cache.js';
import { createDciRoutes } from '../dci/dci-routes.js';
import { DciCallbacks, type DciCallbackOptions } from '../dci/dci-callbacks.js';
import { DciNotifier } from '../dci/dci-notify.js';
import { DciTransactionLog } from '../dci/dci-transaction-log.js';
import { GatewayUseCache } from '../monitoring/gateway-use-cache.js';
import { HistogramCache } from '../monitoring/histogram-cache.js';
import { startHistogramWarmer } from '../monitoring/histogram-warmer.js';
import { MonitoringService } from '../monitoring/monitoring-service.js';
import { GrievanceStore } from '../db/scoped/grievance-store.js';
import { GrievanceService } from '../subjects/grievance-service.js';
import { RestrictionService } from '../subjects/restriction-service.js';
import { SubjectReportService } from '../subjects/subject-report-service.js';
import { createSubjectReportRoute } from './subject-report-route.js';
import { DEFAULT_GLOBAL_BUDGET_MILLI } from '../statistics/privacy/budget-ledger.js';
import { StatisticsService } from '../statistics/statistics-service.js';
import { VerificationService } from '../verification/verification-service.js';
import { badUserInput, GatewayError } from '../errors/gateway-errors.js';
import type { Logger } from '../logger.js';
import { buildGatewaySchema } from '../resolvers/build-schema.js';
import { createGraphQLServer } from './graphql-server.js';
import { createDashboardRoute } from './dashboard-route.js';
import { createHttpServer } from './http-server.js';
import { metricsPlugin } from './plugins/metrics.plugin.js';
import {
  createMetricsEndpoint,
  startMetricsServer,
  type MetricsEndpointOptions,
} from './metrics-endpoint.js';
import { GatewayMetrics } from '../monitoring/gateway-metrics.js';
import { servedSnapshotTimes, undeliveredWebhooks } from '../db/queries/metrics-queries.js';
import { RequestAdmission, type AdmissionOptions } from './request-admission.js';
import { PersistedDocuments } from './persisted-documents.js';
import { MAX_ALIASES, operationLimits } from './operation-limits.js';
import { disclosureAuditPlugin } from './plugins/disclosure-audit.plugin.js';
import { disclosureNotes } from './plugins/disclosure-notes.js';
import { operationPolicyPlugin } from './plugins/operation-policy.plugin.js';
import { recordSelectionPlugin } from './plugins/record-selection.plugin.js';
import { serviceUnavailablePlugin } from './plugins/service-unavailable.plugin.js';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { RequestContext } from '../resolvers/request-context.js';

export interface Gateway {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** The address the server bound, e.g. `0.0.0.0` (every IPv4 interface) or `127.0.0.1`. */
  host: string;
  port: number;
  /** The port `/metrics` has to itself (DTKS_METRICS_PORT), or null: the main port. */
  metricsPort: number | null;
  /** Stops accepting requests, lets in-flight ones finish (up to `graceMs`), then stops. */
  close(graceMs?: number): Promise<void>;
}

export interface GatewayOptions {
  database: DatabaseHandle;
  logger: Logger;
  config: Pick<Config, 'dataDir' | 'tokens' | 'development'> &
    Partial<Pick<Config, 'globalPrivacyBudget' | 'privacyPeriodMonths' | 'dciStatusDays'>>;
  port: number;
  host?: string;
  /**
   * Bench-only: 'off' serves the same schema with authentication, gate, field policy and audit
   * switched off (one all-seeing synthetic principal), to measure what security costs. Never
   * reachable from configuration.
   */
  security?: 'on' | 'off';
  /** Where the built dashboard page is (default: dist/dashboard of this checkout). */
  dashboardDir?: string;
  /**
   * Push change events to agreements' webhooks from this process (`serve` does; tests that do
   * not need it leave it off). Options override the documented pacing (tests shorten it).
   */
  webhooks?: Partial<WebhookDeliveryOptions> | false;
  /**
   * Send the callbacks of asynchronous DCI requests from this process (`serve` does; without,
   * `/dci/registry/search` and the other asynchronous endpoints answer 503).
   */
  dciCallbacks?: Partial<DciCallbackOptions> | false;
  /** How many requests work at once and how long the others wait (CONTRACT §2; defaults). */
  admission?: Partial<AdmissionOptions>;
  /** Where `/metrics` is served and whether it asks for a token (default: main port, open). */
  metrics?: MetricsEndpointOptions;
  /**
   * With a read replica (`DATABASE_READ_URL`): how far its replay may lag before reads go to the
   * primary (DTKS_READ_MAX_LAG_MS) and how often it is checked (default 1 s).
   */
  readReplica?: { maxLagMs?: number; checkEveryMs?: number };
}

const HEADER_RE = /^[A-Za-z0-9._:@/+-]{1,128}$/;

/** Builds everything a request needs and serves it over HTTP on `port` (0 = any free port). */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { database, logger, config } = options;
  const secure = options.security !== 'off';
  const keys = await loadOrCreateSigningKeys(config.dataDir);
  const subjectKey = await loadOrCreateSubjectKey(config.dataDir);
  const subjectHasher = new SubjectHasher(subjectKey);
  const cursors = new CursorCodec(await loadOrCreateKeyFile(config.dataDir, 'cursor'));
  const subjectRefKey = await loadOrCreateKeyFile(config.dataDir, 'subject-ref');
  const subjectSealKey = await loadOrCreateKeyFile(config.dataDir, SUBJECT_SEAL_KEY);
  const webhookSigning = webhookSigningKey(
    await loadOrCreateKeyFile(config.dataDir, WEBHOOK_SIGNING_KEY),
  );
  // DCI answers and callbacks are signed with the webhook key (published at
  // /.well-known/webhooks.json), named by the registry's id.
  const dciSigner = {
    privateKey: webhookSigning.privateKey,
    senderId: config.tokens.issuer,
    keyId: WEBHOOK_SIGNING_KEY,
  };
  // Where the reads of each request go: the replica while it keeps up, else the primary.
  const reads = database.readPool
    ? new ReadRouter({
        primary: database.db,
        primaryPool: database.pool,
        replica: database.readDb,
        replicaUrl: database.readUrl!,
        maxLagMs: options.readReplica?.maxLagMs ?? DEFAULT_READ_MAX_LAG_MS,
        ...(options.readReplica?.checkEveryMs !== undefined
          ? { checkEveryMs: options.readReplica.checkEveryMs }
          : {}),
        logger,
      })
    : null;
  await reads?.start();
  const readSource = () => reads?.current() ?? database.readDb;
  const rules = new RuleCache(readSource);
  const histograms = new HistogramCache();
  const gatewayUseCache = new GatewayUseCache();
  const publishedTables = new PublishedTablesCache();
  const evaluator = new EligibilityBatcher();
  const limiter = new UsageLimiter(database.url);
  const verifier = createTokenVerifier({
    keys,
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    external: config.tokens.external,
  });
  // eslint-disable-next-line prefer-const -- the listener and the resolver refer to each other
  let principals: PrincipalResolver;
  const listener = new NotificationListener(
    database.url,
    (id) => principals?.invalidate(id),
    logger,
  );
  principals = new PrincipalResolver(database.db, verifier, listener);
  await listener.start();
  // The audit writer has connections of its own: its batches, which every answer waits for,
  // never queue behind requests for a connection of the main pool (nor hold one of theirs).
  const auditPool = createPool(database.url, { max: 2 });
  // Its sources are read at each scrape, when everything below exists.
  const metrics = new GatewayMetrics({
    pools: { primary: database.pool, read: database.readPool, audit: auditPool },
    admission: () => admission.load,
    auditQueue: () => audit.queued,
    snapshot: () => servedSnapshotTimes(readSource()),
    webhooks: () => undeliveredWebhooks(readSource()),
    replica: reads ? () => reads.state : undefined,
  });
  const audit = new AuditWriter(auditPool, {
    logger,
    signer: await loadOrCreateCheckpointSigner(config.dataDir),
    onBatch: (events, seconds, committed) => metrics.auditBatch(events, seconds, committed),
  });
  const admission = new RequestAdmission({ ...DEFAULT_ADMISSION, ...options.admission }, (wait) =>
    metrics.admitted(wait),
  );

  const baseSchema = await buildGatewaySchema();
  const schema = secure
    ? applyMiddleware(baseSchema, createGate<RequestContext>(), disclosureNotes(baseSchema))
    : baseSchema;
  const limits = operationLimits({ development: config.development });
  const globalBudgetMilli =
    config.globalPrivacyBudget === undefined
      ? undefined
      : budgetMilliFromAgreement(config.globalPrivacyBudget);
  const apollo = createGraphQLServer(schema, logger, {
    validationRules: limits.validationRules,
    plugins: [
      serviceUnavailablePlugin(),
      // armor's typings name Apollo's CJS build; its plugins are plain objects that fit ours.
      ...(limits.plugins as unknown as ApolloServerPlugin<RequestContext>[]),
      recordSelectionPlugin(),
      ...(secure
        ? [
            operationPolicyPlugin({ development: config.development }),
            disclosureAuditPlugin({ audit, subjectOf: subjectHasher.hash, logger }),
          ]
        : []),
      metricsPlugin(metrics),
    ],
  });
  await apollo.start();

  const buildContext = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    options: { singlePurposeDefault?: boolean },
  ): Promise<RequestContext> => {
    const officerId = header(req, 'x-officer-id');
    const purpose = header(req, 'x-purpose');
    if (
      (officerId !== null && !HEADER_RE.test(officerId)) ||
      (purpose !== null && !HEADER_RE.test(purpose))
    ) {
      throw badUserInput('X-Officer-Id and X-Purpose take 1–128 letters, digits and . _ : @ / + -');
    }
    const resolved = secure
      ? await principals.resolve(req.headers.authorization, { officerId, purpose })
      : unrestrictedPrincipal(officerId, purpose);
    // The DCI door: without X-Purpose, an agreement with exactly one purpose means that one.
    const only = resolved.agreement.purposes.length === 1 ? resolved.agreement.purposes[0]! : null;
    const principal =
      options.singlePurposeDefault && resolved.purpose === null && only !== null
        ? { ...resolved, purpose: only }
        : resolved;
    if (secure) {
      try {
        await limiter.admitRequest(principal);
      } catch (error) {
        if (error instanceof GatewayError) {
          error.clientId = principal.clientId;
          error.clientKind = principal.kind;
        }
        throw error;
      }
    }
    // Its turn for the database, after every refusal that needs none (src/server/request-admission.ts).
    await admission.enter(res);
    const disclosure: DisclosureRecord = {
      fields: new Set<string>(),
      subjects: new Set<string>(),
      subjectHashes: new Map<string, string>(),
      decisionIds: [],
      aggregates: [],
      notes: [],
    };
    // One source for the whole request: its statements never read two servers (read-router.ts).
    const readDb = readSource();
    const registry = new ScopedRegistry(principal, readDb, (niks) => {
      for (const nik of niks) disclosure.subjects.add(nik);
    });
    // An agreement that follows what it checks: each check feeds the change feed's subscriptions.
    const follow =
      principal.agreement.followCheckedDays === null
        ? null
        : (niks: readonly string[], decisions: Decision[]) =>
            changes.followChecked(niks, decisions);
    const eligibility: EligibilityService = new EligibilityService(
      evaluator.on(readDb),
      principal,
      rules,
      subjectRefKey,
      auditLog.subjectOf,
      disclosure,
      secure ? limiter : null,
      follow,
    );
    const verification = new VerificationService({
      principal,
      db: database.db,
      readDb,
      onSubjects: (niks) => {
        for (const nik of niks) disclosure.subjects.add(nik);
      },
    });
    const statistics = new StatisticsService({
      principal,
      db: database.db,
      readDb,
      disclosure,
      onSpent: (agencyId, epsilonMilli) => metrics.epsilon(agencyId, epsilonMilli / 1000),
      published: publishedTables,
      ...(globalBudgetMilli !== undefined ? { globalBudgetMilli } : {}),
      ...(config.privacyPeriodMonths !== undefined
        ? { privacyPeriodMonths: config.privacyPeriodMonths }
        : {}),
    });
    const monitoring = new MonitoringService({
      principal,
      readDb,
      disclosure,
      globalBudgetMilli: globalBudgetMilli ?? DEFAULT_GLOBAL_BUDGET_MILLI,
      privacyPeriodMonths: config.privacyPeriodMonths ?? 12,
      histograms,
      gatewayUse: gatewayUseCache,
    });
    const changes: ChangeFeedService = new ChangeFeedService({
      principal,
      db: database.db,
      readDb,
      decider: eligibility,
      sealKey: subjectSealKey,
      disclosure,
    });
    const subjects = new SubjectReportService({
      principal,
      registry,
      decider: eligibility,
      rules,
      accessLog: auditLog,
    });
    const restrictions = new RestrictionService({
      principal,
      db: database.db,
      readDb,
      onSubject: (nik) => disclosure.subjects.add(nik),
    });
    const grievances = new GrievanceService({
      principal,
      store: new GrievanceStore(principal, database.db, readDb),
      subjectOf: auditLog.subjectOf,
      onSubject: (nik) => disclosure.subjects.add(nik),
    });
    return {
      requestId,
      logger,
      principal,
      changes,
      subjects,
      restrictions,
      grievances,
      readDb,
      registry,
      cursors,
      disclosure,
      auditLog,
      eligibility,
      rules,
      verification,
      statistics,
      monitoring,
    };
  };

  /** The request's context; a request refused before it runs is counted for the metrics. */
  const createContext = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    options: { singlePurposeDefault?: boolean } = {},
  ): Promise<RequestContext> => {
    try {
      return await buildContext(req, res, requestId, options);
    } catch (error) {
      if (error instanceof GatewayError) {
        metrics.refusedBeforeExecution(error.code, error.clientKind);
      }
      throw error;
    }
  };

  const auditLog = {
    subjectOf: subjectHasher.hash,
    entries: (subject: string, first: number, beforeId?: number) =>
      accessLogFor(database.pool, subject, { first, beforeId }),
  };

  const documents = new PersistedDocuments(database.db);
  const resolveDocument = async (request: HTTPGraphQLRequest, context: RequestContext) => {
    const resolved = await documents
      .resolve(request, context.principal.agreement)
      .catch((error: unknown) => {
        if (error instanceof GatewayError) error.clientId = context.principal.clientId;
        throw error;
      });
    if (resolved.document) context.disclosure.document = resolved.document;
    return resolved.request;
  };

  const onRefused = async (req: IncomingMessage, requestId: string, error: GatewayError) => {
    try {
      await audit.record({
        requestId,
        clientId: error.clientId,
        agencyId: null,
        officerId: header(req, 'x-officer-id')?.slice(0, 128) ?? null,
        purpose: header(req, 'x-purpose')?.slice(0, 128) ?? null,
        operation: 'http:graphql',
        outcome: 'REFUSED',
        errorCode: error.code,
        fields: [],
        subjects: [],
        decisionIds: [],
        documentId: error.documentId,
      });
    } catch (auditError) {
      // No refusal is answered unaudited: the request answers 503 instead (http-server.ts).
      logger.error({ err: auditError, requestId }, 'audit of a refused request failed');
      throw auditError;
    }
  };

  const tokenEndpoint = createTokenEndpoint({
    keys,
    store: databaseClientStore(database.db),
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    ttlSeconds: 3600,
  });
  const dciTransactions = new DciTransactionLog(
    database.db,
    logger,
    config.dciStatusDays ?? DEFAULT_DCI_STATUS_DAYS,
  );
  const dciCallbacks =
    options.dciCallbacks === undefined || options.dciCallbacks === false
      ? null
      : new DciCallbacks({
          db: database.db,
          pool: database.pool,
          sealKey: subjectSealKey,
          signer: dciSigner,
          logger,
          options: options.dciCallbacks,
        });
  const metricsEndpoint = createMetricsEndpoint(metrics, options.metrics?.token);
  const server = createHttpServer({
    apollo,
    db: database.db,
    readDb: readSource,
    logger,
    createContext,
    onRefused,
    resolveDocument,
    routes: {
      ...createDciRoutes({
        apollo,
        createContext,
        onRefused,
        db: database.db,
        logger,
        registryId: config.tokens.issuer,
        signer: dciSigner,
        maxFieldsPerOperation: MAX_ALIASES,
        transactions: dciTransactions,
        sealKey: subjectSealKey,
        callbacks: dciCallbacks,
      }),
      // A person's report as a file (CONTRACT §13): the same operation as GraphQL myRecord.
      '/subject/report': createSubjectReportRoute({ apollo, createContext, onRefused }),
      '/oauth/token': tokenEndpoint,
      // The token path of the DCI API family: the same client credentials.
      '/oauth2/client/token': tokenEndpoint,
      '/.well-known/jwks.json': createJwksEndpoint(keys),
      '/.well-known/webhooks.json': createWebhookKeyEndpoint(
        webhookSigning,
        `${dciSigner.senderId}|${dciSigner.keyId}|ed25519`,
      ),
      ...(options.metrics?.port === undefined ? { '/metrics': metricsEndpoint } : {}),
    },
    dashboard: createDashboardRoute(options.dashboardDir),
    onAnswered: (path, status, seconds) => metrics.httpAnswered(path, status, seconds),
  });
  await listen(server, options.port, options.host ?? '0.0.0.0');
  const metricsServer =
    options.metrics?.port === undefined
      ? null
      : await startMetricsServer(metricsEndpoint, options.metrics.port, options.host ?? '0.0.0.0');
  const { port, address: host } = server.address() as AddressInfo;
  // The national verification histogram, loaded now and after each import rather than on a
  // dashboard's first visit. Read with the national scope only (the unrestricted principal's);
  // what a request may see of it is decided per request as before.
  const warmer = startHistogramWarmer({
    reads: () => new VerificationProgressReads(unrestrictedPrincipal(null, null), readSource()),
    scope: ['*'],
    histograms,
    logger,
  });
  const webhooks =
    options.webhooks === undefined || options.webhooks === false
      ? null
      : new WebhookDeliveries({
          db: database.db,
          pool: database.pool,
          url: database.url,
          sealKey: subjectSealKey,
          signing: webhookSigning,
          subjectKey,
          audit,
          logger,
          options: options.webhooks,
        });
  await webhooks?.start();
  await dciCallbacks?.start();
  const dciNotifier = dciCallbacks
    ? new DciNotifier({
        db: database.db,
        url: database.url,
        sealKey: subjectSealKey,
        subjectKey,
        audit,
        callbacks: dciCallbacks,
        registryId: config.tokens.issuer,
        logger,
      })
    : null;
  await dciNotifier?.start();
  return {
    url: `http://127.0.0.1:${port}`,
    host,
    port,
    metricsPort: metricsServer?.port ?? null,
    async close(graceMs = 10_000) {
      await webhooks?.stop();
      await dciNotifier?.stop();
      await dciCallbacks?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await warmer.stop();
      await apollo.stop();
      await dciTransactions.flush();
      await audit.close();
      await auditPool.end();
      await listener.close();
      await limiter.close();
      await metricsServer?.close();
      await reads?.stop();
    },
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The bench-only principal of `security: 'off'`: everything, everywhere, in clear. Also the
 * national scope with which the gateway warms its own verification-progress cache.
 */
function unrestrictedPrincipal(officerId: string | null, purpose: string | null): Principal {
  const show = (fields: string[]) => Object.fromEntries(fields.map((f) => [f, 'show' as const]));
  return {
    clientId: 'security-off',
    agencyId: 'bench',
    agencyName: 'Benchmark (security off)',
    kind: 'LOCAL_GOV',
    officerId,
    purpose,
    agreement: {
      id: 'bench',
      agencyId: 'bench',
      title: 'security off',
      scopes: ['records:read'],
      programs: [],
      purposes: [],
      regionScope: ['*'],
      fieldPolicy: {
        Household: show([
          'kkNumber',
          'regionCode',
          'address',
          'decile',
          'verificationStatus',
          'verifiedAt',
          'members',
        ]),
        Person: show([
          'nik',
          'name',
          'sex',
          'birthDate',
          'relationship',
          'status',
          'household',
          'programs',
        ]),
      },
      detailedReasons: true,
      batchLimit: 10_000,
      dailyQuota: Number.MAX_SAFE_INTEGER,
      rateLimitPerMinute: Number.MAX_SAFE_INTEGER,
      privacyBudget: null,
      validFrom: new Date(0),
      validUntil: null,
      revokedAt: null,
      trustedDocumentsOnly: false,
      documentApps: [],
      followCheckedDays: null,
      verifiesSubjectIdentity: false,
      purposeLegalBasis: {},
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use; set PORT to another port`)
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
}
