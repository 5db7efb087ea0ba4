/**
 * How long to wait before trying a provider again. Pure functions: the scheduler owns the
 * timers, these only say "not before".
 */

/** Longest wait between transient retries: providers.md §0 suggests backoff up to 1–2 h. */
export const MAX_TRANSIENT_DELAY_MS = 2 * 60 * 60 * 1000;
/** A `network` failure (no route yet) waits briefly: the next netifd event usually comes first. */
export const MAX_NETWORK_DELAY_MS = 5 * 60 * 1000;

export interface BackoffInput {
  /** The wait before this failure's attempt, if it was a retry (0 / undefined for the first failure). */
  previousMs?: number;
  /** `retry_interval`: the first delay. */
  baseMs: number;
  /** The provider's own minimum (Retry-After, dyndns2 911 rule). */
  retryAfterMs?: number;
  kind: 'transient' | 'network';
  /** A number in [0, 1); injected so tests can pin it. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter: the first wait is `retry_interval`, each further one
 * doubles the previous wait (which may have been a provider's minimum, so a 500 after a
 * 911 waits longer still). The jitter only ever lengthens a wait (by up to a quarter), so
 * successive waits keep growing until the cap and never undercut a provider's minimum.
 */
export function backoffDelay(input: BackoffInput): number {
  const random = input.random ?? Math.random;
  const base = Math.max(1000, input.baseMs);
  const cap = input.kind === 'network' ? Math.max(base, MAX_NETWORK_DELAY_MS) : Math.max(base, MAX_TRANSIENT_DELAY_MS);
  const exp = input.previousMs ? Math.min(cap, Math.max(base, input.previousMs * 2)) : base;
  const jittered = Math.round(exp * (1 + 0.25 * random()));
  return Math.max(jittered, input.retryAfterMs ?? 0);
}
