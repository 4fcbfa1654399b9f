/** A file the run needs cannot be used; the message names the file and the reason, never its data. */
export class FileProblem extends Error {
  override name = 'FileProblem';
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
};

/** `cannot <what> <file>: <reason>` for a file-system error, or the error itself otherwise. */
export function fileProblem(what: string, file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return error instanceof Error ? error : new Error(String(error));
  return new FileProblem(`cannot ${what} ${file}: ${REASONS[code] ?? code}`);
}
