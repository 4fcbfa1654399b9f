import type { Writable } from 'node:stream';

/** Where a CSV file goes: any writable stream (file, PassThrough, COPY stream, test sink). */
export type CsvSink = NodeJS.WritableStream | Writable;

/** Bytes collected before one `write` call: per-row writes are an order of magnitude slower. */
const CHUNK_BYTES = 64 * 1024;

/** Quotes a CSV field per RFC 4180 when it contains a comma, a quote or a line break. */
export function csvField(value: string): string {
  if (value.includes('"')) return `"${value.replaceAll('"', '""')}"`;
  return value.includes(',') || value.includes('\n') || value.includes('\r') ? `"${value}"` : value;
}

/**
 * Collects CSV text into ~64 KB Buffers and honours backpressure: after a `write` that returns
 * false the writer is `blocked` until the stream emits 'drain'. The caller checks `blocked` at
 * convenient points (after each household) and awaits `ready()`, so rows are never dropped and
 * memory stays bounded even when the consumer is slow.
 *
 * Text is encoded into the Buffer as soon as it arrives rather than kept as a growing string:
 * a long-lived concatenated string survives garbage collections and gets promoted to the old
 * generation, which at 10 million persons inflated the process by over 100 MB.
 */
export class ChunkedCsvWriter {
  private buffer: Buffer;
  private used = 0;
  private drained: Promise<unknown> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly stream: CsvSink,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    stream.on('error', (err: unknown) => {
      this.failure ??= err;
    });
  }

  /** Appends text (whole rows, each ending in a newline). */
  write(text: string): void {
    const worst = text.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (this.used + worst > this.buffer.length) {
      this.flush();
      if (worst > this.buffer.length) {
        this.push(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
    if (this.used >= this.chunkBytes - 1024) this.flush();
  }

  /** True when the caller should `await ready()` before writing more. */
  get blocked(): boolean {
    return this.drained !== null || this.failure !== null;
  }

  /** Resolves once the stream has drained; rejects if the stream failed. */
  async ready(): Promise<void> {
    if (this.drained) {
      await this.drained;
      this.drained = null;
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Writes what is buffered, then ends the stream (call after `ready()`). */
  end(): void {
    if (this.used > 0) this.stream.write(this.buffer.subarray(0, this.used));
    this.used = 0;
    this.stream.end();
  }

  private flush(): void {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    // The stream keeps the chunk until it is consumed, so the next one needs a fresh Buffer.
    this.buffer = Buffer.allocUnsafe(this.chunkBytes);
    this.used = 0;
    this.push(full);
  }

  private push(chunk: Buffer): void {
    const ok = this.stream.write(chunk);
    if (!ok && this.drained === null) this.drained = drainOf(this.stream);
  }
}

/**
 * Resolves on 'drain'; rejects on 'error', or on 'close' first (a stream destroyed by its
 * consumer never drains, and waiting for it would hang the generator).
 */
function drainOf(stream: CsvSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      stream.removeListener('drain', onDrain);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = () => done();
    const onError = (err: unknown) => done(err);
    const onClose = () => done(new Error('output stream closed before the snapshot was complete'));
    stream.once('drain', onDrain);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}
