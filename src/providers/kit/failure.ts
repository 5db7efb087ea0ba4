import { HttpError, retryAfterMs, type HttpResponse } from '../../net/http';
import { errorText } from '../../util/error-text';
import { redact, type Secret } from '../../util/secret';
import type { Outcome } from '../types';

/**
 * The failure table: every way a provider call can fail, classified once, the same for every
 * provider. src/providers/README.md shows it; test/providers/failure-table.test.ts runs every
 * provider through it.
 */

/** A failure already classified where it happened; becomes one UpdateResult. */
export class ProviderFailure extends Error {
  readonly outcome: Outcome;
  readonly retryAfterMs?: number;
  /** The HTTP status, when the failure is an answer (404 tells a stale cached id). */
  readonly status?: number;
  /** The parsed error body, for provider rules that look at codes (Cloudflare 7003: stale zone id). */
  readonly data?: unknown;

  constructor(outcome: Outcome, message: string, extra: { retryAfterMs?: number; status?: number; data?: unknown } = {}) {
    super(message);
    this.name = 'ProviderFailure';
    this.outcome = outcome;
    this.retryAfterMs = extra.retryAfterMs;
    this.status = extra.status;
    this.data = extra.data;
  }
}

export const MINUTE = 60_000;

/** The provider minimum waits (dyndns2 policy, cases.md rows 16–23); Retry-After may ask for longer. */
export const WAIT = {
  dnserr: 5 * MINUTE,
  outage: 30 * MINUTE, // dyndns2 `911`
  servererror: 10 * MINUTE,
  unexpected: 30 * MINUTE, // an answer we cannot read
  empty: 5 * MINUTE,
  rateLimit: 2 * MINUTE, // 429 without a longer Retry-After
  serverFault: 5 * MINUTE, // HTTP 5xx, timeout, TLS failure, a malformed reply
} as const;

/** One row: the outcome, and the minimum wait before the next request (none: the scheduler's backoff alone). */
export interface Row {
  outcome: Outcome;
  wait?: keyof typeof WAIT;
}

/** Transport failures: nothing (or nothing readable) came back. */
export const TRANSPORT = {
  timeout: { outcome: 'transient', wait: 'serverFault' },
  tls: { outcome: 'transient', wait: 'serverFault' },
  'name-resolution': { outcome: 'network' },
  refused: { outcome: 'network' },
  reset: { outcome: 'network' },
  unreachable: { outcome: 'network' },
  'http-parse': { outcome: 'transient', wait: 'serverFault' },
  'too-large': { outcome: 'transient', wait: 'serverFault' },
  'redirect-loop': { outcome: 'transient', wait: 'serverFault' },
  'redirect-refused': { outcome: 'config' },
  cancelled: { outcome: 'network' },
  'other-socket': { outcome: 'network' },
  unexpected: { outcome: 'transient', wait: 'serverFault' },
} as const satisfies Record<string, Row>;

export type TransportCase = keyof typeof TRANSPORT;

const CODES: Record<string, TransportCase> = {
  ENOTFOUND: 'name-resolution',
  EAI_AGAIN: 'name-resolution',
  EAI_FAIL: 'name-resolution',
  EAI_NONAME: 'name-resolution',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ENETUNREACH: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'unreachable',
};

/** Which row of TRANSPORT an error thrown by the HTTP client is. */
export function transportCase(e: unknown): TransportCase {
  if (!(e instanceof HttpError)) return 'unexpected';
  switch (e.kind) {
    case 'timeout': return 'timeout';
    case 'tls': return 'tls';
    case 'too-large': return 'too-large';
    case 'aborted': return 'cancelled';
    case 'redirect': return e.code === 'LOOP' ? 'redirect-loop' : 'redirect-refused';
    default:
      if (e.code?.startsWith('HPE_')) return 'http-parse';
      return (e.code !== undefined ? CODES[e.code] : undefined) ?? 'other-socket';
  }
}

/** A transport failure as a classified failure, secrets masked. */
export function transportFailure(e: unknown, title: string, what: string, secrets: Secret[] = []): ProviderFailure {
  const row: Row = TRANSPORT[transportCase(e)];
  const text = redact(e instanceof HttpError ? e.message : `unexpected error: ${errorText(e)}`, secrets);
  const hint = row.outcome === 'config' ? '; check the endpoint' : '';
  return new ProviderFailure(row.outcome, `${title}: could not ${what}: ${text}${hint}`, { retryAfterMs: row.wait && WAIT[row.wait] });
}

/**
 * What an HTTP status means when the provider's body adds nothing more precise; undefined for
 * 2xx, where the body decides. `documented`: the statuses a provider's documentation gives
 * another meaning (FreeDNS: 404 is a bad update token), listed in the README's table.
 */
export function statusRow(status: number, documented: Readonly<Record<number, Outcome>> = {}): Row | undefined {
  if (status >= 200 && status < 300) return undefined;
  const own = documented[status];
  if (own) return { outcome: own };
  if (status === 401 || status === 403) return { outcome: 'auth' };
  if (status === 404) return { outcome: 'nohost' };
  if (status === 429) return { outcome: 'transient', wait: 'rateLimit' };
  if (status >= 500) return { outcome: 'transient', wait: 'serverFault' };
  if (status === 408 || status === 409 || status === 423 || status === 425) return { outcome: 'transient' };
  return { outcome: 'config' };
}

/**
 * How long to wait after a transient answer: the longest of the row's minimum, Retry-After
 * and (when the quota is spent, or a 429 says nothing else) a rate-limit reset header holding
 * Unix seconds. Undefined when nothing asks for a wait.
 */
export function answerWait(row: Row, res: HttpResponse, now: number, resetHeader?: string): number | undefined {
  if (row.outcome !== 'transient') return undefined;
  const waits: number[] = [];
  if (row.wait) waits.push(WAIT[row.wait]);
  const ra = retryAfterMs(res, now);
  if (ra !== undefined) waits.push(ra);
  const reset = resetHeader ? Number(res.headers[resetHeader]) : NaN;
  const spent = resetHeader ? res.headers[resetHeader.replace(/reset$/, 'remaining')] === '0' : false;
  if (Number.isFinite(reset) && reset > 0 && (spent || (ra === undefined && res.status === 429))) {
    waits.push(Math.max(0, reset * 1000 - now));
  }
  return waits.length ? Math.max(...waits) : undefined;
}

/** A 2xx answer that is not in the shape the provider documents (HTML instead of JSON, a missing field, an unknown code). */
export const UNREADABLE = { outcome: 'transient', wait: 'unexpected' } as const satisfies Row;

/** Failures that hold for the whole account: the next request would fail the same way, so it is not sent. */
export function stopsAccount(f: { outcome: Outcome; status?: number }): boolean {
  return f.outcome === 'auth' || f.outcome === 'abuse' || f.outcome === 'network' || f.status === 429 || (f.status !== undefined && f.status >= 500);
}

/** Anything thrown, as a classified failure (a programming error is transient, never a crash). */
export function asFailure(e: unknown): ProviderFailure {
  if (e instanceof ProviderFailure) return e;
  return new ProviderFailure('transient', `unexpected error: ${errorText(e)}`, { retryAfterMs: WAIT.serverFault });
}
