import { runCheck } from '../../src/engine/check';
import { reconcileState } from '../../src/engine/records';
import { readVerifier } from '../../src/engine/verify';
import { findProvider } from '../../src/providers/registry';
import { FakeClock, settle } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { Secret } from '../../src/util/secret';
import { FakeSource, makeService } from '../engine/helpers';
import type { CountedRequest, FakeRest, RestProviderId } from './fake-rest';

export const COST_NAME = 'home.example.com';

/** Requests one check cost, and how many of its reads repeated one it had already made. */
export interface CheckCost {
  requests: number;
  repeatedReads: number;
  verified: boolean;
  /** What the fake's zone holds for the record afterwards. */
  zone: string[];
  lines: string[];
}

export interface ProviderCosts {
  /** First check, no state, the record does not exist yet (option create 1), verification on. */
  create: CheckCost;
  /** The next address change, same daemon (ids remembered). */
  change: CheckCost;
  /** First check after a reboot (no state) with the record holding an older address. */
  restart: CheckCost;
}

function repeated(list: CountedRequest[]): number {
  const reads = list.filter((r) => r.method === 'GET' || /retrieve/.test(r.url));
  // A write between two reads of the same thing makes the second one a new fact.
  let seen = new Set<string>();
  let n = 0;
  for (const r of list) {
    if (!reads.includes(r)) {
      seen = new Set();
      continue;
    }
    if (seen.has(r.url)) n++;
    seen.add(r.url);
  }
  return n;
}

/** Run the REST provider `p` through the engine's real check against the fake, counting requests. */
export async function restCosts(fake: FakeRest, p: RestProviderId): Promise<ProviderCosts> {
  const def = findProvider(p)!;
  const plain = fake.options(p);
  const options: Record<string, string | Secret> = { endpoint: fake.endpoint(p) };
  for (const [k, v] of Object.entries(plain)) options[k] = def.fields.find((f) => f.name === k)?.secret ? new Secret(v) : v;
  const service = makeService({ provider: p, domains: [COST_NAME], verify: true, providerOptions: options });
  const clock = new FakeClock();
  const run = async (st: ReturnType<typeof reconcileState>, address: string): Promise<CheckCost> => {
    const lines: string[] = [];
    const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l), now: () => clock.now() });
    const source = new FakeSource();
    source.addresses = { 4: address };
    const built = def.settings(options);
    if (built.problems) throw new Error(`${p}: the fake's options are refused: ${built.problems.map((x) => x.message).join('; ')}`);
    const instance = def.create(built.settings);
    const before = fake.requests.length;
    let done = false;
    const check = runCheck(service, st, {
      clock, log: sink.logger(service.name), source, provider: instance, capabilities: def.capabilities,
      verifier: readVerifier(instance, 'ddnsd/test'), userAgent: 'ddnsd/test', secrets: [],
      // The start-up read is not cut short here: it is what is being counted.
      seedBoundMs: 1e9,
    }, { force: false, reason: 'test' }).finally(() => { done = true; });
    // A provider that follows a job (Hetzner's action) pauses seconds on the engine clock: move
    // the clock on to such a pause; the seed bound, far away, never comes due.
    while (!done) {
      const due = clock.nextDue();
      if (due !== undefined && due - clock.now() <= 60_000) await clock.advance(due - clock.now());
      else await settle();
    }
    await check;
    const mine = fake.requests.slice(before).filter((r) => r.provider === p);
    const rec = st.records.find((r) => r.type === 'A')!;
    return { requests: mine.length, repeatedReads: repeated(mine), verified: rec.verified === true && rec.registered === address, zone: fake.contents(p, COST_NAME, 'A'), lines };
  };
  const st = reconcileState(service, undefined);
  const create = await run(st, '203.0.113.10');
  const change = await run(st, '203.0.113.11');
  const restart = await run(reconcileState(service, undefined), '203.0.113.12');
  return { create, change, restart };
}
