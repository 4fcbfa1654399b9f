import { Command, CommanderError } from 'commander';
import { vi } from 'vitest';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dtks-gateway …` in this process, built as src/cli.ts builds the program from the
 * commands `register` adds (a spawn costs about two seconds, so checks that need no second
 * process run here): what the command writes (console.log, stdout, stderr) and its exit code
 * (commander's, or the `process.exitCode` that `runCommand` sets). The configuration comes from
 * process.env, as for the real command.
 */
export async function runInProcess(
  register: (program: Command) => void,
  args: string[],
  options: { positionalOptions?: boolean; helpAfterError?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = new Command('dtks-gateway').exitOverride().configureOutput({
    writeOut: (text) => (stdout += text),
    writeErr: (text) => (stderr += text),
    outputError: (text, write) => write(text),
  });
  if (options.positionalOptions) program.enablePositionalOptions();
  if (options.helpAfterError) program.showHelpAfterError();
  register(program);
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    stdout += `${parts.join(' ')}\n`;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  let code = 0;
  try {
    await program.parseAsync(['node', 'dtks-gateway', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  } finally {
    log.mockRestore();
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}
