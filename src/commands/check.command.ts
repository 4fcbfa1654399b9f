import { Option, type Command } from 'commander';
import { formatSeconds } from '../cli/progress.js';
import { CommandError, runCommand, type CommandEnv } from '../cli/command-runner.js';
import { parseDuration } from '../auth/tokens/duration.js';
import { runBulkCheck, type BulkCheckSummary } from '../bulk-check/bulk-check.js';
import { EligibilityClient } from '../bulk-check/eligibility-client.js';
import { FileProblem } from '../bulk-check/file-problems.js';
import { GatewayClient, RefusedError } from '../bulk-check/gateway-client.js';
import { InputFormatError } from '../bulk-check/nik-input.js';
import { DEFAULT_RETRY_POLICY, GaveUpError } from '../bulk-check/retry.js';
import { PROGRAM_CODES } from '../domain/programs.js';

/** Exit code when the run gave up on a failure that did not go away (EX_TEMPFAIL): rerun to resume. */
export const EXIT_RESUMABLE = 75;

/** The largest batch the gateway accepts in one operation (CONTRACT §6). */
const MAX_BATCH = 10_000;

/** What the gateway accepts in X-Purpose and X-Officer-Id. */
const HEADER_VALUE_RE = /^[A-Za-z0-9._:@/+-]{1,128}$/;

export interface CheckOptions {
  url: string;
  clientId: string;
  clientSecret?: string;
  program: string;
  purpose: string;
  officer?: string;
  in: string;
  out: string;
  rejects?: string;
  batchSize: string;
  concurrency: string;
  maxAttempts: string;
  maxWait: string;
  timeout: string;
  restart?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'check the eligibility of every NIK in a CSV file against a gateway, resumably (docs/bulk-check.md)',
    )
    .requiredOption('--url <url>', 'the gateway, e.g. https://dtks-gateway.example.go.id')
    .requiredOption('--client-id <id>', 'your client id')
    .addOption(
      new Option(
        '--client-secret <secret>',
        'your client secret (better in the environment: kept out of ps and shell history)',
      ).env('DTKS_CLIENT_SECRET'),
    )
    .addOption(
      new Option('--program <code>', 'the program to check')
        .choices(PROGRAM_CODES)
        .makeOptionMandatory(),
    )
    .requiredOption('--purpose <code>', "one of your agreement's purposes (X-Purpose)")
    .option('--officer <id>', 'the officer on whose behalf you check (X-Officer-Id, audited)')
    .requiredOption(
      '--in <file>',
      'CSV of NIKs: a header row with a nik column, or one NIK per line',
    )
    .requiredOption('--out <file>', 'results CSV: nik,eligible,reason,decision_id,data_as_of')
    .option(
      '--rejects <file>',
      'rows refused locally: line,value,reason (default: results.csv → results.rejects.csv)',
    )
    .option('--batch-size <n>', `NIKs per batch, 1 to ${MAX_BATCH}`, '1000')
    .option('--concurrency <n>', 'batches in flight at once, 1 to 8', '2')
    .option('--max-attempts <n>', 'attempts per request on transient failures, 1 to 100', '8')
    .option('--max-wait <duration>', 'longest Retry-After to wait for (e.g. 90s, 5m)', '5m')
    .option('--timeout <duration>', 'per request', '60s')
    .option('--restart', 'start the output and rejects files over instead of resuming')
    .action((options: CheckOptions) => runCommand('check', (env) => check(env, options)));
}

async function check(env: CommandEnv, options: CheckOptions): Promise<void> {
  const settings = checkSettings(options);
  const gateway = new GatewayClient({
    url: settings.url,
    clientId: options.clientId,
    clientSecret: settings.clientSecret,
    purpose: options.purpose,
    officerId: options.officer,
    timeoutMs: settings.timeoutSeconds * 1000,
    retry: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: settings.maxAttempts,
      maxWaitSeconds: settings.maxWaitSeconds,
    },
    onRetry: (what, waitMs, attempt, requestId) =>
      env.logger.warn({ what, waitMs, attempt, requestId }, 'transient failure; retrying'),
  });
  const checker = new EligibilityClient(gateway, options.program, {
    perOperation: settings.batchSize,
    onNote: (note) => env.logger.info(note),
  });
  // Files only ever hold whole rows (a torn last line is dropped on resume): stopping is safe.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(
      '\ndtks-gateway check: interrupted; run the same command again to resume\n',
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const summary = await runBulkCheck({
      input: options.in,
      output: options.out,
      rejects: settings.rejects,
      batchSize: settings.batchSize,
      concurrency: settings.concurrency,
      restart: options.restart === true,
      checker,
    });
    process.stderr.write(`${describe(summary, options.out, settings.rejects)}\n`);
  } catch (error) {
    throw asCommandError(error, options.in);
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}

/** The command's options checked and converted; a bad one is a one-line {@link CommandError}. */
export function checkSettings(options: CheckOptions) {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new CommandError('--url must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CommandError('--url must be an http:// or https:// URL');
  }
  if (!options.clientSecret) {
    throw new CommandError('give the client secret in DTKS_CLIENT_SECRET or --client-secret');
  }
  if (!HEADER_VALUE_RE.test(options.purpose)) {
    throw new CommandError('--purpose must be a purpose code such as PBI_JK_VERIFICATION');
  }
  if (options.officer !== undefined && !HEADER_VALUE_RE.test(options.officer)) {
    throw new CommandError(
      '--officer may hold up to 128 letters, digits and . _ : @ / + - (no spaces)',
    );
  }
  return {
    url: url.toString(),
    clientSecret: options.clientSecret,
    rejects: options.rejects ?? defaultRejectsPath(options.out),
    batchSize: wholeNumber('--batch-size', options.batchSize, 1, MAX_BATCH),
    concurrency: wholeNumber('--concurrency', options.concurrency, 1, 8),
    maxAttempts: wholeNumber('--max-attempts', options.maxAttempts, 1, 100),
    maxWaitSeconds: duration('--max-wait', options.maxWait, 0, 86_400),
    timeoutSeconds: duration('--timeout', options.timeout, 1, 3_600),
  };
}

/** `results.csv` → `results.rejects.csv`; other names get `.rejects.csv` appended. */
export function defaultRejectsPath(out: string): string {
  return /\.csv$/i.test(out) ? out.replace(/\.csv$/i, '.rejects.csv') : `${out}.rejects.csv`;
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CommandError(`${option} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function duration(option: string, text: string, min: number, max: number): number {
  const seconds = parseDuration(text);
  if (seconds === null || seconds < min || seconds > max) {
    throw new CommandError(
      `${option} must be a duration such as 90s, 5m or 1h, from ${formatSeconds(min)} to ${formatSeconds(max)}`,
    );
  }
  return seconds;
}

function asCommandError(error: unknown, input: string): unknown {
  if (error instanceof GaveUpError) {
    return new CommandError(
      `${error.message}; the results so far are kept: run the same command again to resume`,
      EXIT_RESUMABLE,
    );
  }
  if (error instanceof InputFormatError) return new CommandError(`${input}: ${error.message}`);
  if (error instanceof RefusedError || error instanceof FileProblem) {
    return new CommandError(error.message);
  }
  return error;
}

function describe(s: BulkCheckSummary, out: string, rejects: string): string {
  const parts = [
    `checked ${s.checked} NIKs (${s.eligible} eligible) and rejected ${s.rejected} rows in ${s.seconds.toFixed(1)} s`,
  ];
  if (s.resumedChecked > 0 || s.resumedRejected > 0) {
    parts.push(
      `resumed after ${s.resumedChecked} checked and ${s.resumedRejected} rejected rows of an earlier run`,
    );
  }
  if (s.droppedPartialLine) parts.push('dropped an incomplete last line left by an interruption');
  parts.push(`results in ${out}, rejects in ${rejects}`);
  return parts.join('; ');
}
