/**
 * `promise`, or a rejection when it has not settled within `ms`: for a database call whose silence
 * must count as an answer (readiness, the read replica's checks). The call itself is not
 * cancelled; the caller drops or ends what it used.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
