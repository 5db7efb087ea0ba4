import type tap from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LogSink } from '../../src/util/log';
import { VERSION } from '../../src/version';
import type { ProviderCache, ProviderContext, ProviderDef, ProviderInstance, ProviderOptions, RecordType, RecordUpdate } from '../../src/providers/types';
import { Secret } from '../../src/util/secret';

/** A tap subtest, as the callbacks of `t.test` receive it. */
export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0];

/** Helpers for the update-URL provider tests (dyndns2 family, deSEC, DuckDNS, FreeDNS, Namecheap, IONOS, custom). */

export const AGENT = `ddnsd/${VERSION}`;
export const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

export class Cache implements ProviderCache {
  readonly map = new Map<string, string>();
  get(k: string) { return this.map.get(k); }
  set(k: string, v: string) { this.map.set(k, v); }
  delete(k: string) { this.map.delete(k); }
}

export interface Ctx extends ProviderContext {
  cache: Cache;
  /** Every log line at debug level; the sink knows no secret, so a leak would show here. */
  lines: string[];
}

export function ctx(cache = new Cache()): Ctx {
  const lines: string[] = [];
  const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l), now: () => NOW });
  return { log: sink.logger('svc'), cache, userAgent: AGENT, now: () => NOW, lines };
}

export function upd(name: string, type: RecordType, address: string): RecordUpdate {
  return { record: { name, type }, address };
}

/** Options as the config loader hands them over: secret fields wrapped. */
export function options(def: ProviderDef, plain: Record<string, string>): ProviderOptions & { endpoint?: string } {
  const out: Record<string, string | Secret> = {};
  for (const [k, v] of Object.entries(plain)) {
    const f = def.fields.find((x) => x.name === k);
    out[k] = f?.secret ? new Secret(v) : v;
  }
  return out;
}

export function instance(def: ProviderDef, plain: Record<string, string>): ProviderInstance {
  return def.create(options(def, plain));
}

/** Which of `secrets` (raw or URL-encoded) appear anywhere in the given results, answers and log lines. */
export function leaked(secrets: string[], ...things: unknown[]): string[] {
  const text = JSON.stringify(things, (_k, v) => (v instanceof Error ? v.message : v));
  return secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}

/** A file from the shared fixtures folder beside the repository ($DDNSD_SHARED overrides). */
export function sharedFixture(rel: string): string {
  const roots = [process.env.DDNSD_SHARED, resolve(__dirname, '..', '..', '..', 'shared'), '/work/shared'];
  for (const r of roots) {
    if (r && existsSync(join(r, rel))) return readFileSync(join(r, rel), 'utf8');
  }
  throw new Error(`shared fixture ${rel} not found; set DDNSD_SHARED`);
}

export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}
