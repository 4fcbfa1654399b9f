import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './test-database.js';

/**
 * `serve --demo` started as a user starts it: the CLI (from source, through a `bin/dtks-gateway`
 * shim in a folder of its own), the default demo, a test database as DATABASE_URL and a data
 * folder that does not exist yet. For tests that exercise the product end to end (README
 * examples, the DCI compliance suite).
 */
export interface DemoProcess {
  /** The folder the demo runs in (its data folder is `.dtks` there). */
  cwd: string;
  port: number;
  /** The command, as `./bin/dtks-gateway` in `cwd`. */
  shim: string;
  /** What `serve --demo` printed so far. */
  banner(): string;
  /** The environment the commands run with. */
  env(): NodeJS.ProcessEnv;
  /** Runs `dtks-gateway ARGS` in the demo's folder. */
  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSX = import.meta.resolve('tsx');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startDemoProcess(db: TestDatabase): Promise<DemoProcess> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'dtks-demo-'));
  const port = await freePort();
  await mkdir(path.join(cwd, 'bin'));
  const shim = path.join(cwd, 'bin', 'dtks-gateway');
  await writeFile(
    shim,
    `#!/bin/sh\nexec '${process.execPath}' --import '${TSX}' '${path.join(REPO, 'src/cli.ts')}' "$@"\n`,
  );
  await chmod(shim, 0o755);

  /** The test database, the default data folder (./.dtks), tsx. */
  const env = (): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(base)) if (name.startsWith('DTKS_')) delete base[name];
    return {
      ...base,
      DATABASE_URL: db.url,
      // The run's own least-privilege login: `serve` would otherwise (re)create the server-wide
      // role dtks_gateway, whose password another gateway on the same server may depend on.
      DATABASE_RUNTIME_URL: db.runtime.url,
      LOG_LEVEL: 'warn',
      // The commands run from source in a folder outside the repository.
      TSX_TSCONFIG_PATH: path.join(REPO, 'tsconfig.json'),
    };
  };

  const serve: ChildProcess = spawn(shim, ['serve', '--demo'], {
    cwd,
    env: { ...env(), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = '';
  let stderr = '';
  serve.stdout!.on('data', (c: Buffer) => (banner += c.toString()));
  serve.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<never>((_, reject) =>
    serve.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`))),
  );
  exited.catch(() => undefined);

  const stop = async () => {
    if (serve.exitCode === null && serve.signalCode === null) {
      const gone = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGINT');
      const timer = setTimeout(() => serve.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    await rm(cwd, { recursive: true, force: true });
  };

  /** Until the banner is out and /readyz answers. */
  const ready = async () => {
    const deadline = Date.now() + 110_000;
    while (Date.now() < deadline) {
      if (banner.includes('Try (in another terminal')) {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        if (r?.ok) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the demo did not start; it printed: ${banner}`);
  };
  try {
    await Promise.race([ready(), exited]);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    cwd,
    port,
    shim,
    banner: () => banner,
    env,
    run: (args) =>
      new Promise((resolve) => {
        const child = spawn(shim, args, { cwd, env: env() });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('close', (code) => resolve({ code: code ?? 1, stdout: out, stderr: err }));
      }),
    stop,
  };
}
