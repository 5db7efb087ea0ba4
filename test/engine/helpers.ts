import type { ServiceConfig } from '../../src/config/types';
import type { Detection, Family, Source } from '../../src/detect/types';
import type { Capabilities, Outcome, ProviderInstance, RecordUpdate, UpdateResult } from '../../src/providers/types';
import { FakeClock } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import type { RunnerDeps } from '../../src/engine/service-runner';
import type { Verifier } from '../../src/engine/verify';

/** A valid service as schema.ts would produce it; tests override what they need. */
export function makeService(over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name: 'home',
    enabled: true,
    provider: 'fake',
    domains: ['home.example.com'],
    ipVersion: '4',
    interface: 'wan',
    source: 'network',
    ipNetwork: 'wan',
    ipUrls: [],
    ipDns: [],
    ipv6: { mode: 'auto' },
    allowPrivate: false,
    forceIntervalMs: 0,
    retryIntervalMs: 60_000,
    retryMaxCount: 0,
    checkIntervalMs: 600_000,
    verify: false,
    providerOptions: {},
    fingerprint: 'fp1',
    ...over,
  };
}

export const CAPS: Capabilities = {
  ipv4: true, ipv6: true, dualStackOneRequest: false, hostsPerRequest: 20,
  ttl: false, proxied: false, read: false, credentialTest: false,
};

/** A source whose addresses the test sets; counts detect calls. */
export class FakeSource implements Source {
  readonly kind: Source['kind'];
  readonly signalsChanges: boolean;
  addresses: Partial<Record<Family, string>> = { 4: '203.0.113.7' };
  calls = 0;
  /** When set, detect waits for this before answering (to hold a check open). */
  gate: Promise<void> | undefined;

  constructor(kind: Source['kind'] = 'network') {
    this.kind = kind;
    this.signalsChanges = kind === 'network';
  }

  async detect(family: Family): Promise<Detection> {
    this.calls++;
    if (this.gate) await this.gate;
    const address = this.addresses[family];
    return { family, address, candidates: [], warnings: [], error: address ? undefined : 'no address on wan' };
  }
}

/** A provider that answers from a script of outcomes (default ok) and records every call. */
export class FakeProvider implements ProviderInstance {
  calls: RecordUpdate[][] = [];
  script: { outcome: Outcome; retryAfterMs?: number; message?: string }[] = [];
  /** Times (clock ms) of each call. */
  times: number[] = [];

  constructor(private readonly clock: FakeClock) {}

  async update(updates: RecordUpdate[]): Promise<UpdateResult[]> {
    this.calls.push(updates);
    this.times.push(this.clock.now());
    const step = this.script.shift() ?? { outcome: 'ok' as Outcome };
    return updates.map((u) => ({
      record: u.record,
      outcome: step.outcome,
      retryAfterMs: step.retryAfterMs,
      message: step.message ?? `${step.outcome} ${u.address}`,
    }));
  }
}

/** DNS as the test says it is; counts lookups. */
export class FakeDns {
  records = new Map<string, string[]>();
  lookups = 0;
  verifier: Verifier = async (refs) => {
    this.lookups++;
    const out = new Map<string, string[]>();
    for (const r of refs) out.set(`${r.name}/${r.type}`, this.records.get(`${r.name}/${r.type}`) ?? []);
    return out;
  };
}

export function makeDeps(over: Partial<RunnerDeps> = {}) {
  const clock = new FakeClock();
  const lines: string[] = [];
  const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l), now: () => clock.now() });
  const source = new FakeSource();
  const provider = new FakeProvider(clock);
  const dns = new FakeDns();
  const deps: RunnerDeps = {
    clock, log: sink.logger('home'), source, provider, capabilities: CAPS, userAgent: 'ddnsd/test',
    secrets: [], random: () => 0, ...over,
  };
  return { clock, lines, sink, source, provider, dns, deps };
}
