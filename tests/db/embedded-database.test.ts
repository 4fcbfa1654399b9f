import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataDirInUseError,
  startEmbeddedCluster,
  type EmbeddedCluster,
} from '../../src/db/embedded/embedded-cluster.js';
import { MIGRATION_NAMES } from '../../src/db/migrator.js';
import { createLogger } from '../../src/logger.js';

const logger = createLogger('silent');

function run(
  args: string[],
  dataDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, DTKS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-embedded-'));
  await chmod(dir, 0o711); // as root, PostgreSQL runs as "postgres" and must enter it
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it('lets one process own a data directory: a second server refuses, other commands attach', async () => {
    const dataDir = path.join(dir, 'owned');
    const owner = await startEmbeddedCluster(dataDir, {
      exclusive: true,
      command: 'serve',
      logger,
    });
    try {
      await expect(
        startEmbeddedCluster(dataDir, { exclusive: true, command: 'serve', logger }),
      ).rejects.toThrow(DataDirInUseError);
      // The error names the owner, not a stack of PostgreSQL internals.
      await expect(
        startEmbeddedCluster(dataDir, { exclusive: true, command: 'serve', logger }),
      ).rejects.toThrow(/another dtks-gateway process \(pid \d+, "serve"\) is using/);
      const attached: EmbeddedCluster = await startEmbeddedCluster(dataDir, {
        exclusive: false,
        command: 'import',
        logger,
      });
      expect(attached.owned).toBe(false);
      expect(attached.url).toBe(owner.url);
      // The real case: another process.
      const second = await run(['serve'], dataDir);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /^dtks-gateway serve: another dtks-gateway process \(pid \d+, "serve"\) is using .*; stop it first, or set DTKS_DATA_DIR to another folder\n$/,
      );
      const migrate = await run(['migrate'], dataDir);
      expect(migrate).toMatchObject({
        code: 0,
        stdout: `applied: ${MIGRATION_NAMES.join(', ')}\n`,
      });
    } finally {
      await owner.stop();
    }
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    // initdb, a second server and three commands each starting Node: ~10 s alone, several times
    // that when the whole suite shares two cores.
  }, 150_000);

  it('as root, names the folder the postgres user cannot enter instead of failing inside initdb', async () => {
    if (process.getuid?.() !== 0) return; // only root hands the server to another user
    const closed = path.join(dir, 'closed');
    await mkdir(closed, { mode: 0o700 });
    await expect(
      startEmbeddedCluster(path.join(closed, 'data'), {
        exclusive: true,
        command: 'serve',
        logger,
      }),
    ).rejects.toThrow(`cannot enter ${closed}; allow it (chmod o+x ${closed})`);
  });

  it('serve stops PostgreSQL cleanly on SIGTERM or SIGINT to its pid alone, and starts again on the same data', async () => {
    const dataDir = path.join(dir, 'serve');
    const serve = () =>
      spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
        env: {
          ...process.env,
          DTKS_DATA_DIR: dataDir,
          PORT: '0',
          LOG_LEVEL: 'warn',
          DATABASE_URL: '',
          // As users run it: under vitest's "test", Apollo installs no signal handlers of its own,
          // and those re-raised the signal and killed the process before PostgreSQL was stopped.
          NODE_ENV: 'production',
        },
      });
    // The signal goes to the node pid only, as systemd or a container runtime sends it.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = serve();
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout}`)), 60_000);
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
        child.stdout.on('data', () => {
          if (stdout.includes('GraphQL: ')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const url = /GraphQL: (http:\/\/\S+)\/graphql/.exec(stdout)![1];
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
      expect(existsSync(path.join(dataDir, 'embedded.json'))).toBe(false);
    }
  });

  it('serve stops cleanly on SIGTERM while it is still loading the demo snapshot', async () => {
    const dataDir = path.join(dir, 'serve-starting');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--demo'], {
      env: {
        ...process.env,
        DTKS_DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'info',
        DATABASE_URL: '',
        DTKS_DEMO_PERSONS: '300000', // long enough to be interrupted
        NODE_ENV: 'production',
      },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no demo load: ${stderr}`)), 60_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('generating the demo snapshot')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stderr).toContain('interrupted during start-up: stopping');
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'embedded.json'))).toBe(false);
  });
});
