import { LogSink } from '../../src/util/log';
import type { ProviderCache, ProviderContext, UpdateResult } from '../../src/providers/types';
import { FakeHttp, type CannedReply, type ExpectedRequest } from '../support/fake-http';

/** Helpers shared by the REST provider tests (DNSimple, Cloudflare, Porkbun, Gandi, DigitalOcean, Hetzner). */

export const UA = 'ddnsd/0.1.0';
/** The engine's clock in these tests: 2026-05-25 14:22:18 UTC (the date of the DNSimple 429 fixture). */
export const NOW = Date.UTC(2026, 4, 25, 14, 22, 18);

export class MemCache implements ProviderCache {
  readonly map = new Map<string, string>();
  get(k: string) { return this.map.get(k); }
  set(k: string, v: string) { this.map.set(k, v); }
  delete(k: string) { this.map.delete(k); }
}

export interface TestContext extends ProviderContext {
  cache: MemCache;
  /** Every log line written, at debug level, with no secret registered in the sink (so nothing is masked for us). */
  lines: string[];
}

export function makeCtx(cache = new MemCache(), extra: Partial<Omit<ProviderContext, 'cache'>> = {}): TestContext {
  const lines: string[] = [];
  const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l), now: () => NOW });
  return { log: sink.logger('svc'), cache, userAgent: UA, now: () => NOW, lines, ...extra };
}

/** Every string a caller could show: results, test answers, errors, log lines. */
export function leaks(secrets: string[], ...things: unknown[]): string[] {
  const text = JSON.stringify(things, (_k, v) => (v instanceof Error ? v.message : v));
  return secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}

/** The assertions the helpers use, for any tap test object. */
export interface Asserts {
  equal(found: unknown, wanted: unknown, ...message: [] | [string]): unknown;
  match(found: unknown, pattern: unknown, ...message: [] | [string]): unknown;
  strictSame(found: unknown, wanted: unknown, ...message: [] | [string]): unknown;
}

/** One documented error answer and what it must become. */
export interface ErrorCase {
  name: string;
  reply: CannedReply;
  outcome: string;
  msg: RegExp;
  /** The minimum wait the result must carry (undefined: none). */
  wait?: number;
}

/**
 * For each case: a fresh fake server answers the one scripted request with the case's reply;
 * the result must have the outcome, message and wait, and no secret may show anywhere.
 */
export async function runErrorCases(
  t: Asserts & { teardown(fn: () => unknown): void },
  cases: ErrorCase[], secrets: string[],
  step: (reply: CannedReply) => ExpectedRequest,
  run: (fake: FakeHttp, ctx: TestContext) => Promise<UpdateResult[]>,
): Promise<void> {
  for (const c of cases) {
    const fake = await FakeHttp.start(t);
    fake.expect(step(c.reply));
    const ctx = makeCtx();
    const r = await run(fake, ctx);
    t.match(r, [{ outcome: c.outcome, message: c.msg }], c.name);
    t.equal(r[0].retryAfterMs, c.wait, `${c.name}: wait`);
    fake.assertDone(t, `${c.name}: requests`);
    t.strictSame(leaks(secrets, r, ctx.lines), [], `${c.name}: no secret in results or logs`);
  }
}
