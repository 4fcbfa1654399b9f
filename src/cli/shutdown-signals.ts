/** Thrown into a start-up step that a termination signal interrupted. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * SIGINT and SIGTERM for a long-running command, whether they reach the whole process group
 * (Ctrl-C) or this process alone (systemd, a container runtime, `kill PID`). The first one
 * resolves `requested`; a second one calls `onForce` (stop now). The listeners stay installed until
 * `dispose`, so a library that re-raises a signal when it believes it is the last listener (Apollo
 * Server's stopOnTerminationSignals does) never kills the process before its cleanup has run.
 */
export class ShutdownSignals {
  readonly requested: Promise<NodeJS.Signals>;
  private signal: NodeJS.Signals | null = null;
  private resolve!: (signal: NodeJS.Signals) => void;
  private readonly listener = (signal: NodeJS.Signals) => {
    if (this.signal === null) {
      this.signal = signal;
      this.resolve(signal);
    } else {
      this.onForce(signal);
    }
  };

  constructor(private readonly onForce: (signal: NodeJS.Signals) => void) {
    this.requested = new Promise((resolve) => (this.resolve = resolve));
    process.on('SIGINT', this.listener);
    process.on('SIGTERM', this.listener);
  }

  /** Throws {@link InterruptedError} once a signal has come. */
  throwIfInterrupted(): void {
    if (this.signal !== null) throw new InterruptedError(this.signal);
  }

  /** `step`, unless a signal comes first: then {@link InterruptedError}. */
  async unlessInterrupted<T>(step: Promise<T>): Promise<T> {
    this.throwIfInterrupted();
    return Promise.race([
      step,
      this.requested.then((signal) => {
        throw new InterruptedError(signal);
      }),
    ]);
  }

  dispose(): void {
    process.removeListener('SIGINT', this.listener);
    process.removeListener('SIGTERM', this.listener);
  }
}
