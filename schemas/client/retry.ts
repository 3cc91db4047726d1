/**
 * Bounded retries of registry requests, as the old client library did (it retried twice).
 * Every request the client makes is idempotent: GETs, and the two POSTs, a compatibility test
 * (a read) and a registration (Confluent answers the same id for the same schema, so a repeat
 * after a lost answer registers nothing new). So a network error, a timeout, a 5xx or a 429 is
 * tried again; any other 4xx is an answer and never is.
 */

export interface RegistryRetryOptions {
  /** Attempts after the first; 0 disables retries. Default 2 (config `registry.requestRetries`). */
  readonly retries?: number;
  /**
   * Backoff before the first retry, in ms; doubled for each further one, capped at
   * `maxRetryDelayMs`, with jitter. Default 100 (config `registry.retryBackoffMs`).
   */
  readonly retryBackoffMs?: number;
  /** In [0, 1); default Math.random. Tests pass a fixed one. */
  readonly random?: () => number;
}

export const defaultRegistryRetries = 2;
export const defaultRetryBackoffMs = 100;
/** No single wait is longer, whatever the attempt or a Retry-After header asks. */
export const maxRetryDelayMs = 5000;

/** Statuses that say "try again later": overload, maintenance, a gateway that lost the backend. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait before retry number `retry` (1-based): "equal jitter" backoff, half fixed and half
 * random, so clients that failed together do not all come back together, and a wait never drops
 * to 0. A Retry-After of the answer (seconds; 429 and 503 send it) raises the wait, within the cap.
 */
export function retryDelayMs(
  retry: number,
  backoffMs: number,
  random: () => number,
  retryAfterHeader?: string | null,
): number {
  const exponential = Math.min(maxRetryDelayMs, backoffMs * 2 ** (retry - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const retryAfterS = retryAfterHeader ? Number(retryAfterHeader.trim()) : NaN;
  const asked = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : 0;
  return Math.min(maxRetryDelayMs, Math.max(jittered, asked));
}
