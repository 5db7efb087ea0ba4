import { redact, type Secret } from '../../util/secret';
import type { Outcome, RecordUpdate, UpdateResult } from '../types';
import { asFailure, ProviderFailure, stopsAccount, WAIT } from './failure';

/** The one loop over record groups, and the shapes its results take. */

export function result(u: RecordUpdate, outcome: Outcome, message: string, secrets: Secret[], retryAfterMs?: number): UpdateResult {
  const r: UpdateResult = { record: u.record, outcome, message: redact(message, secrets) };
  if (retryAfterMs !== undefined) r.retryAfterMs = retryAfterMs;
  return r;
}

/** One result per record from one failure, secrets masked. */
export function failAll(updates: RecordUpdate[], f: ProviderFailure, secrets: Secret[]): UpdateResult[] {
  return updates.map((u) => result(u, f.outcome, f.message, secrets, f.retryAfterMs));
}

/**
 * Send one request per group (the records it sets, in order) and collect one result per
 * update, in input order, secrets masked. A failure thrown for a group becomes its records'
 * results; one that holds for the whole account (kit/failure.ts `stopsAccount`: bad
 * credentials, abuse, no network, rate limit, outage), thrown or answered, is copied to the
 * groups not yet sent instead of sending requests that must fail the same way.
 */
export async function eachGroup(
  updates: RecordUpdate[], groups: RecordUpdate[][], secrets: Secret[],
  fn: (group: RecordUpdate[]) => Promise<UpdateResult[]>,
): Promise<UpdateResult[]> {
  const out = new Map<RecordUpdate, UpdateResult>();
  let stop: ProviderFailure | undefined;
  for (const g of groups) {
    try {
      if (stop) throw stop;
      const rs = await fn(g);
      rs.forEach((r, i) => out.set(g[i], { ...r, message: redact(r.message, secrets) }));
      const bad = rs.find((r) => stopsAccount(r));
      if (bad) stop = new ProviderFailure(bad.outcome, bad.message, { retryAfterMs: bad.retryAfterMs });
    } catch (e) {
      const f = asFailure(e);
      if (stopsAccount(f)) stop = f;
      failAll(g, f, secrets).forEach((r, i) => out.set(g[i], r));
    }
  }
  return updates.map((u) => out.get(u) ?? result(u, 'transient', 'no request was made for this record (internal error)', secrets, WAIT.serverFault));
}

/** eachGroup for APIs that take one record per request. */
export function eachRecord(
  updates: RecordUpdate[], secrets: Secret[],
  fn: (u: RecordUpdate) => Promise<Omit<UpdateResult, 'record'>>,
): Promise<UpdateResult[]> {
  return eachGroup(updates, updates.map((u) => [u]), secrets, async ([u]) => [{ ...(await fn(u)), record: u.record }]);
}

/** `test()` answers in one shape, whatever happened. */
export async function testResult(secrets: Secret[], fn: () => Promise<string>): Promise<{ outcome: Outcome; message: string }> {
  try {
    return { outcome: 'ok', message: redact(await fn(), secrets) };
  } catch (e) {
    const f = asFailure(e);
    return { outcome: f.outcome, message: redact(f.message, secrets) };
  }
}
