import type tap from 'tap';
import { readFileSync } from 'node:fs';
import type { ProviderDef, ProviderInput, ProviderInstance, ProviderOptions, RecordType, RecordUpdate } from '../../src/providers/types';
import { problemsText } from '../../src/providers/kit/text';
import { Secret } from '../../src/util/secret';
import { sharedPath } from '../support/shared';

/** A tap subtest, as the callbacks of `t.test` receive it. */
export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0];

/** Helpers for the update-URL provider tests (dyndns2 family, deSEC, DuckDNS, FreeDNS, Namecheap, IONOS, custom). */

// The provider context (a LogSink capturing every line, a memory cache) and the leak check are the REST tests' own.
export { MemCache as Cache, makeCtx as ctx, leaks as leaked, type TestContext as Ctx, UA as AGENT } from './rest-support';

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
  return build(def, options(def, plain));
}

/**
 * settings() then create(), as config/ and the engine do. Option problems come back as an
 * instance whose every answer is `config` with the provider's sentence, so the option tests
 * read the verdict in the same place as the provider's other answers.
 */
export function build(def: ProviderDef, input: ProviderInput): ProviderInstance {
  const built = def.settings(input);
  if (!built.problems) return def.create(built.settings);
  const message = problemsText(def.title, built.problems);
  return {
    update: async (updates) => updates.map((u) => ({ record: u.record, outcome: 'config', message })),
    read: async () => { throw new Error(message); },
    test: async () => ({ outcome: 'config', message }),
  };
}

/** A file from the shared fixtures folder beside the repository ($DDNSD_SHARED overrides). */
export function sharedFixture(rel: string): string {
  return readFileSync(sharedPath(rel), 'utf8');
}

export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}
