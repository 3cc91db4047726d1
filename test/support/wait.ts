// The one polling helper of the tests: wait for a background process (a consumer, a tap, a
// spawned service) to reach a state. Tests never assert on how long that took.

/** What a truthy check leaves of T. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export interface WaitOptions {
  /** What is awaited, named in the timeout error ("2000 records on the tap"). */
  readonly what: string;
  /** Give up after this long. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between two checks. Default 50 ms. */
  readonly intervalMs?: number;
}

/**
 * Calls `condition` until it returns a truthy value and resolves with that value. Throws
 * `timed out after … waiting for <what>` once `timeoutMs` has passed; an error thrown by
 * `condition` ends the wait at once.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { what, timeoutMs = 30_000, intervalMs = 50 }: WaitOptions,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
