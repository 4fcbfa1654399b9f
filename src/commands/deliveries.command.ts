import type { Command } from 'commander';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../db/database.js';
import type { Database } from '../db/database-types.js';
import { enqueueDeliveryAttempt, openJobSender } from '../db/job-queue.js';
import {
  clientWebhook,
  listDeliveries,
  reopenDeliveries,
  replayDeliveries,
} from '../db/queries/webhook-delivery-queries.js';
import {
  deliveryListFilter,
  ATTEMPT_COLUMNS,
  attemptColumns,
  printRows,
  withDeliveryListOptions,
  type DeliveryListOptions,
} from '../cli/delivery-listing.js';
import { parseMoment } from '../cli/options.js';

/** The header row of `deliveries list` (tab-separated, like its rows). */
export const DELIVERIES_LIST_HEADER = [
  'ID',
  'CLIENT',
  'WEBHOOK_ID',
  'EVENTS',
  ...ATTEMPT_COLUMNS,
] as const;

/**
 * `dtks-gateway deliveries list | retry | replay` (CONTRACT §11): webhook deliveries of change
 * events as operators see and steer them. docs/change-feeds.md, "Operating deliveries".
 */
export function registerDeliveries(program: Command): void {
  const deliveries = program
    .command('deliveries')
    .description('webhook deliveries of change events: list, retry, replay');

  withDeliveryListOptions(
    deliveries
      .command('list')
      .description('list deliveries, newest first (tab-separated, with a header row)'),
  ).action((o: DeliveryListOptions) =>
    runCommand('deliveries list', (env) =>
      withDatabase(env, 'deliveries list', async (database) => {
        const rows = await listDeliveries(database.db, deliveryListFilter(o));
        printRows(
          DELIVERIES_LIST_HEADER,
          rows.map((r) => [
            r.id,
            r.clientId ?? '',
            r.messageId,
            `${r.events} (${r.firstEventId}–${r.lastEventId})${r.replay ? ' replay' : ''}`,
            ...attemptColumns(r),
          ]),
        );
      }),
    ),
  );

  deliveries
    .command('retry')
    .description(
      'attempt deliveries again now, with the same webhook-id and a new 3-day retry window: the given ids, or every DEAD one',
    )
    .argument('[ids...]', 'delivery ids (from `deliveries list`)')
    .option('--dead', 'every DEAD delivery')
    .option('--client <id>', "with --dead: only this client's")
    .action((ids: string[], o: { dead?: boolean; client?: string }) =>
      runCommand('deliveries retry', (env) =>
        withDatabase(env, 'deliveries retry', async (database) => {
          if (ids.length > 0 === (o.dead === true))
            throw new CommandError('give delivery ids, or --dead');
          if (ids.some((id) => !/^\d{1,18}$/.test(id)))
            throw new CommandError('delivery ids are numbers (see `deliveries list`)');
          const reopened = await enqueue(database, (trx) =>
            reopenDeliveries(
              trx,
              o.dead ? { dead: true, ...(o.client ? { clientId: o.client } : {}) } : { ids },
            ),
          );
          console.log(`${reopened} deliveries will be attempted again`);
        }),
      ),
    );

  deliveries
    .command('replay')
    .description(
      "send a client's events committed since a moment again, as new deliveries (new webhook-ids; each event keeps its eventId)",
    )
    .requiredOption('--client <id>', 'the client whose webhook receives them')
    .requiredOption(
      '--since <when>',
      'YYYY-MM-DD (from midnight WIB) or an ISO timestamp',
      parseMoment,
    )
    .action((o: { client: string; since: Date }) =>
      runCommand('deliveries replay', (env) =>
        withDatabase(env, 'deliveries replay', async (database) => {
          const webhook = await clientWebhook(database.db, o.client);
          if (!webhook.exists) throw new CommandError(`no client ${o.client}`);
          if (webhook.url === null)
            throw new CommandError(`client ${o.client} has no webhook (clients webhook --url)`);
          const created = await enqueue(database, (trx) =>
            replayDeliveries(trx, o.client, o.since),
          );
          console.log(`${created} deliveries created for ${o.client}`);
        }),
      ),
    );
}

/** Runs `change` and enqueues an attempt for every delivery it returns, in one transaction. */
async function enqueue(
  database: DatabaseHandle,
  change: (trx: Transaction<Database>) => Promise<string[]>,
): Promise<number> {
  const boss = await openJobSender(database.url);
  try {
    return await database.db.transaction().execute(async (trx) => {
      const ids = await change(trx);
      for (const id of ids) await enqueueDeliveryAttempt(boss, trx, id);
      return ids.length;
    });
  } finally {
    await boss.stop({ graceful: false, wait: true, close: true });
  }
}
