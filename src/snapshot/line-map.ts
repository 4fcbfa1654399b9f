/**
 * Maps a row's position in a staged table (0-based, in load order) back to its line in the CSV
 * file. Lines run ahead of positions only where a quoted value spans lines or a blank line was
 * skipped, so only those change points are kept: a few numbers, not one per row.
 */
export class LineMap {
  private readonly ordinals: number[] = [];
  private readonly offsets: number[] = [];

  /** Notes that the row at `ordinal` starts at `line`. Call in order, for every row. */
  note(ordinal: number, line: number): void {
    const offset = line - ordinal;
    const last = this.offsets.length === 0 ? 2 : this.offsets[this.offsets.length - 1]!; // header is line 1
    if (offset !== last) {
      this.ordinals.push(ordinal);
      this.offsets.push(offset);
    }
  }

  lineOf(ordinal: number): number {
    let lo = 0;
    let hi = this.ordinals.length - 1;
    let offset = 2;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ordinals[mid]! <= ordinal) {
        offset = this.offsets[mid]!;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return ordinal + offset;
  }
}
