import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import {
  deliveryListFilter,
  ATTEMPT_COLUMNS,
  attemptColumns,
  printRows,
  withDeliveryListOptions,
  type DeliveryListOptions,
} from '../cli/delivery-listing.js';
import { listDciCallbacks } from '../db/queries/dci-queries.js';
import { signDciMessage } from '../dci/dci-signature.js';

/**
 * `dtks-gateway dci …`: tools for a partner's side of the DCI API (docs/dci.md "Signatures"): an
 * Ed25519 key pair to register with `clients create … --dci-key`, and a reference signer that
 * shows exactly what the gateway checks; and for operators, the callbacks the gateway sends.
 */
export function registerDci(program: Command): void {
  const dci = program
    .command('dci')
    .description(
      "the DCI API: a sender's tools (make a signing key pair, sign a message) and the callbacks sent to senders",
    );

  dci
    .command('keygen')
    .description(
      'write an Ed25519 key pair: PREFIX.key (private, PKCS#8 PEM, mode 600) and PREFIX.pub (register it with clients dci --key)',
    )
    .requiredOption('--out <prefix>', 'where to write PREFIX.key and PREFIX.pub')
    .action((o: { out: string }) =>
      runCommand('dci keygen', async () => {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        const key = `${o.out}.key`;
        const pub = `${o.out}.pub`;
        try {
          await writeFile(key, privateKey.export({ format: 'pem', type: 'pkcs8' }), {
            mode: 0o600,
            flag: 'wx',
          });
        } catch {
          throw new CommandError(
            `cannot write ${key} (it may exist already: keys are not replaced)`,
          );
        }
        await writeFile(pub, publicKey.export({ format: 'pem', type: 'spki' }), { flag: 'w' });
        console.log(
          `wrote ${key} (keep it secret) and ${pub} (register it: clients dci ID --key ${pub})`,
        );
      }),
    );

  dci
    .command('sign')
    .description(
      'read a DCI envelope (JSON) on stdin and print it signed with the key, as the gateway checks signatures',
    )
    .requiredOption('--key <file>', 'the Ed25519 private key (PEM), e.g. from dci keygen')
    .option('--key-id <id>', 'the key id in kidId, after the sender id', 'key-1')
    .option('--valid <seconds>', 'how long the signature is valid, at most 3600', '300')
    .action((o: { key: string; keyId: string; valid: string }) =>
      runCommand('dci sign', async () => {
        let privateKey;
        try {
          privateKey = createPrivateKey(await readFile(o.key, 'utf8'));
        } catch {
          throw new CommandError(`cannot read a private key from ${o.key}`);
        }
        if (privateKey.asymmetricKeyType !== 'ed25519') {
          throw new CommandError(`${o.key} is not an Ed25519 key`);
        }
        const valid = Number(o.valid);
        if (!Number.isInteger(valid) || valid < 1 || valid > 3600) {
          throw new CommandError('--valid is a whole number of seconds, 1–3600');
        }
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        let envelope: { header?: { sender_id?: unknown }; message?: unknown };
        try {
          envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof envelope;
        } catch {
          throw new CommandError('stdin is not JSON');
        }
        const senderId = envelope.header?.sender_id;
        if (typeof senderId !== 'string' || envelope.message === undefined) {
          throw new CommandError('the envelope needs header.sender_id and message');
        }
        const signature = signDciMessage(
          envelope.header,
          envelope.message,
          { privateKey, senderId, keyId: o.keyId },
          Date.now(),
          valid,
        );
        process.stdout.write(`${JSON.stringify({ ...envelope, signature })}\n`);
      }),
    );

  withDeliveryListOptions(
    dci
      .command('callbacks')
      .description(
        'list the callbacks of asynchronous requests, newest first: waiting (PENDING), DELIVERED or DEAD after 3 days of failures (tab-separated, with a header row; never their bodies)',
      ),
  ).action((o: DeliveryListOptions) =>
    runCommand('dci callbacks', (env) =>
      withDatabase(env, 'dci callbacks', async (database) => {
        const rows = await listDciCallbacks(database.db, deliveryListFilter(o));
        printRows(
          DCI_CALLBACKS_HEADER,
          rows.map((r) => [r.id, r.clientId, r.action, r.url, ...attemptColumns(r)]),
        );
      }),
    ),
  );
}

/** The header row of `dci callbacks` (tab-separated, like its rows). */
export const DCI_CALLBACKS_HEADER = ['ID', 'CLIENT', 'ACTION', 'URL', ...ATTEMPT_COLUMNS] as const;
