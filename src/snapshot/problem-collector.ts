import type { ImportProblem } from './row-validator.js';

/** The most problems an import reports one by one; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 100;

/** Collects the reasons a snapshot is refused: the first 100 in full, then only a count. */
export class ProblemCollector {
  readonly reported: ImportProblem[] = [];
  total = 0;

  add(problem: ImportProblem): void {
    this.total++;
    if (this.reported.length < MAX_REPORTED_PROBLEMS) this.reported.push(problem);
  }

  addAll(problems: readonly ImportProblem[]): void {
    for (const p of problems) this.add(p);
  }

  get any(): boolean {
    return this.total > 0;
  }

  /** Problems in file order, then line order (loaders run concurrently and report interleaved). */
  sorted(fileOrder: readonly string[]): ImportProblem[] {
    return [...this.reported].sort(
      (a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || a.line - b.line,
    );
  }
}

/** The snapshot was refused; nothing was changed. */
export class SnapshotRejectedError extends Error {
  override name = 'SnapshotRejectedError';
  constructor(
    readonly problems: ImportProblem[],
    readonly total: number,
  ) {
    super(`snapshot refused: ${total} problem${total === 1 ? '' : 's'}`);
  }
}

/** One line per problem, as the CLI prints them: `members.csv:12: nik: NIK must be exactly 16 digits`. */
export function formatProblem(p: ImportProblem): string {
  return `${p.file}:${p.line}: ${p.column ? `${p.column}: ` : ''}${p.reason}`;
}
