/**
 * How long to wait before trying a provider again. Pure functions: the scheduler owns the
 * timers, these only say "not before".
 */

/** Longest wait between transient retries: providers.md §0 suggests backoff up to 1–2 h. */
export const MAX_TRANSIENT_DELAY_MS = 2 * 60 * 60 * 1000;
/** A `network` failure (no route yet) waits briefly: the next netifd event usually comes first. */
export const MAX_NETWORK_DELAY_MS = 5 * 60 * 1000;

export interface BackoffInput {
  /** Failures in a row, counting the one that just happened (1 = first failure). */
  streak: number;
  /** `retry_interval`: the first delay. */
  baseMs: number;
  /** The provider's own minimum (Retry-After, dyndns2 911 rule). */
  retryAfterMs?: number;
  kind: 'transient' | 'network';
  /** A number in [0, 1); injected so tests can pin it. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter. The jitter only ever lengthens the wait (by up to a
 * quarter), so successive delays keep growing until the cap and never undercut a
 * provider's minimum.
 */
export function backoffDelay(input: BackoffInput): number {
  const random = input.random ?? Math.random;
  const base = Math.max(1000, input.baseMs);
  const cap = input.kind === 'network' ? Math.max(base, MAX_NETWORK_DELAY_MS) : Math.max(base, MAX_TRANSIENT_DELAY_MS);
  const exp = Math.min(cap, base * 2 ** Math.min(30, Math.max(0, input.streak - 1)));
  const jittered = Math.round(exp * (1 + 0.25 * random()));
  return Math.max(jittered, input.retryAfterMs ?? 0);
}
