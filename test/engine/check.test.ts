import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupUpdates, runCheck, SEED_BOUND_MS } from '../../src/engine/check';
import { backoffDelay } from '../../src/engine/backoff';
import { reconcileState } from '../../src/engine/records';
import { loadState, parseState, StateStore, type RecordState } from '../../src/engine/state';
import { parseDnsServer, dnsVerifier, defaultVerifier, readVerifier } from '../../src/engine/verify';
import type { ServiceConfig } from '../../src/config/types';
import type { ProviderDef, ProviderInstance } from '../../src/providers/types';
import { LogSink } from '../../src/util/log';
import { CAPS, makeDeps, makeService } from './helpers';

const rec = (name: string, type: 'A' | 'AAAA', detected: string, registered?: string): RecordState => ({ name, type, detected, registered, state: 'ok', verified: false });

t.test('groupUpdates: families apart, or together for dual-stack-in-one-request providers', async (t) => {
  const a = rec('h.example', 'A', '203.0.113.1', '203.0.113.1');
  const aaaa = rec('h.example', 'AAAA', '2001:db8::2', '2001:db8::1');
  const b = rec('b.example', 'A', '203.0.113.1');
  const names = (gs: RecordState[][]) => gs.map((g) => g.map((r) => `${r.name} ${r.type}`));
  t.same(names(groupUpdates([aaaa, b], [a, aaaa, b], CAPS)), [['b.example A'], ['h.example AAAA']], 'one call per family');
  t.same(
    names(groupUpdates([aaaa], [a, aaaa, b], { ...CAPS, dualStackOneRequest: true })),
    [['h.example A', 'h.example AAAA']],
    'the unchanged A rides along so the provider does not drop it',
  );
  t.same(names(groupUpdates([a, b], [a, b], { ...CAPS, hostsPerRequest: 1 })), [['h.example A'], ['b.example A']], 'one name per call');
});

t.test('a dual-stack service sends both families in one provider call', async (t) => {
  const env = makeDeps({ capabilities: { ...CAPS, dualStackOneRequest: true } });
  env.source.addresses = { 4: '203.0.113.7', 6: '2001:db8::7' };
  const service = makeService({ ipVersion: 'both' });
  const st = reconcileState(service, undefined);
  const s = await runCheck(service, st, env.deps, { force: false, reason: 'test' });
  t.equal(s.requests, 1);
  t.same(env.provider.calls[0].map((u) => `${u.record.type} ${u.address}`), ['A 203.0.113.7', 'AAAA 2001:db8::7']);

  env.source.addresses[6] = '2001:db8::8';
  await runCheck(service, st, env.deps, { force: false, reason: 'test' });
  t.same(env.provider.calls[1].map((u) => `${u.record.type} ${u.address}`), ['A 203.0.113.7', 'AAAA 2001:db8::8'], 'only v6 changed: both sent');

  const apart = makeDeps();
  apart.source.addresses = { 4: '203.0.113.7', 6: '2001:db8::7' };
  await runCheck(service, reconcileState(service, undefined), apart.deps, { force: false, reason: 'test' });
  t.equal(apart.provider.calls.length, 2, 'without the capability: one call per family');
});

t.test('verification: before (seed) and after (verified flag); forced update sends anyway', async (t) => {
  const env = makeDeps();
  env.deps.verifier = env.dns.verifier;
  const service = makeService({ verify: true });
  const st = reconcileState(service, undefined);
  env.dns.records.set('home.example.com/A', ['192.0.2.9']);
  await runCheck(service, st, env.deps, { force: false, reason: 'start' });
  t.equal(env.provider.calls.length, 1, 'DNS differs: update');
  t.equal(st.records[0].verified, false, 'DNS still shows the old address');
  t.match(env.lines.join('\n'), /not verified yet \(answers 192\.0\.2\.9\)/);

  env.dns.records.set('home.example.com/A', ['203.0.113.7']);
  await runCheck(service, st, env.deps, { force: true, reason: 'manual' });
  t.equal(env.provider.calls.length, 2, 'forced: sent although unchanged');
  t.equal(st.records[0].verified, true);
});

t.test('a source that finds nothing: error in state, nothing sent; a polled source retries', async (t) => {
  const env = makeDeps();
  env.source.addresses = {};
  const service = makeService();
  const st = reconcileState(service, undefined);
  const s = await runCheck(service, st, env.deps, { force: false, reason: 'ifup' });
  t.equal(s.action, 'error');
  t.equal(st.records[0].state, 'error');
  t.match(st.records[0].lastResult, /no IPv4 address: no address on wan/);
  t.equal(env.provider.calls.length, 0);
  t.match(env.lines.join('\n'), /warn.*no IPv4 address: no address on wan/, 'the reason is in the log at warn, not only in status');
});

t.test('a provider that throws counts as a network failure, with the secret redacted', async (t) => {
  const { Secret } = await import('../../src/util/secret');
  const secret = new Secret('pa55word-xyz');
  const env = makeDeps({ secrets: [secret] });
  env.provider.update = async () => {
    throw new Error('connect ECONNREFUSED https://u:pa55word-xyz@127.0.0.1/');
  };
  const service = makeService();
  const st = reconcileState(service, undefined);
  const s = await runCheck(service, st, env.deps, { force: false, reason: 'x' });
  t.equal(s.action, 'retry');
  t.equal(s.retryKind, 'network');
  t.notMatch(st.records[0].lastResult, /pa55word/);
  t.match(st.records[0].lastResult, /\*\*\*/);
});

t.test("a provider's answer with control characters is kept as one printable line (status goes to terminals)", async (t) => {
  const env = makeDeps();
  env.provider.update = async (updates) => updates.map((u) => ({ record: u.record, outcome: 'transient' as const, message: 'HTTP 500: Internal\u001b[31m Error\n<forged line>' }));
  const service = makeService();
  const st = reconcileState(service, undefined);
  await runCheck(service, st, env.deps, { force: false, reason: 'x' });
  t.equal(st.records[0].lastResult, 'HTTP 500: Internal?[31m Error <forged line>');
});

t.test('backoff: first wait is the base, then doubling, capped; provider minimum wins', async (t) => {
  const r0 = () => 0;
  t.equal(backoffDelay({ baseMs: 60_000, kind: 'transient', random: r0 }), 60_000);
  t.equal(backoffDelay({ previousMs: 60_000, baseMs: 60_000, kind: 'transient', random: r0 }), 120_000);
  t.equal(backoffDelay({ previousMs: 2 * 3600_000, baseMs: 60_000, kind: 'transient', random: r0 }), 2 * 3600_000);
  t.equal(backoffDelay({ previousMs: 4 * 60_000, baseMs: 60_000, kind: 'network', random: r0 }), 5 * 60_000);
  t.equal(backoffDelay({ baseMs: 60_000, retryAfterMs: 1800_000, kind: 'transient', random: r0 }), 1800_000);
  t.equal(backoffDelay({ baseMs: 60_000, kind: 'transient', random: () => 0.999 }), 74_985);
});

t.test('reconcileState: keeps known records, adds and drops others; a new fingerprint lifts blocks', async (t) => {
  const s1 = makeService({ domains: ['a.example', 'b.example'], fingerprint: 'x' });
  const st = reconcileState(s1, undefined);
  st.records[0].registered = '203.0.113.1';
  st.records[0].state = 'blocked';
  st.records[0].blockedFingerprint = 'x';
  st.failures = 3;
  const same = reconcileState(makeService({ domains: ['a.example', 'c.example'], fingerprint: 'x' }), st);
  t.same(same.records.map((r) => r.name), ['a.example', 'c.example']);
  t.equal(same.records[0].blockedFingerprint, 'x');
  t.equal(same.failures, 3);
  const changed = reconcileState(makeService({ domains: ['a.example'], fingerprint: 'y' }), st);
  t.equal(changed.records[0].blockedFingerprint, undefined);
  t.equal(changed.records[0].state, 'pending');
  t.equal(changed.records[0].registered, '203.0.113.1', 'what is known about the record stays');
  t.equal(changed.failures, 0);
  const off = reconcileState(makeService({ enabled: false, fingerprint: 'y' }), st);
  t.equal(off.records[0].state, 'disabled');
});

t.test('state file: atomic write, round trip, corrupt and foreign files ignored', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ddnsd-state-')), 'nested');
  const lines: string[] = [];
  const log = new LogSink({ write: (l) => lines.push(l) }).logger('');
  t.same(await loadState(dir, log), { version: 1, services: {} }, 'missing: empty, silently');
  t.same(lines, []);
  const service = makeService();
  const data = { version: 1 as const, services: { home: reconcileState(service, undefined) } };
  data.services.home.records[0].registered = '203.0.113.7';
  const store = new StateStore(dir, () => data, log);
  await Promise.all([store.save(), store.save(), store.save()]);
  t.same(readdirSync(dir), ['state.json'], 'no temporary file left behind');
  t.same(await loadState(dir, log), JSON.parse(JSON.stringify(data)));
  for (const bad of ['{', '[]', '{"version":2,"services":{}}', '{"version":1,"services":{"x":{"fingerprint":"f","records":[{"name":"a","type":"MX"}]}}}']) {
    writeFileSync(join(dir, 'state.json'), bad);
    t.same(await loadState(dir, log), { version: 1, services: {} }, `ignored: ${bad}`);
  }
  t.equal(lines.filter((l) => /ignoring corrupt state file/.test(l)).length, 4);
  t.throws(() => parseState('{"version":1,"services":{"x":{"records":[]}}}'), /missing fingerprint/);
  t.equal(readFileSync(join(dir, 'state.json'), 'utf8').length > 0, true);
});

t.test('dns_server forms and the DNS verifier', async (t) => {
  t.same(parseDnsServer('127.0.0.1:5353'), { server: '127.0.0.1', port: 5353 });
  t.same(parseDnsServer('[::1]:53'), { server: '::1', port: 53 });
  t.same(parseDnsServer('::1'), { server: '::1' });
  t.same(parseDnsServer('ns1.example.net'), { server: 'ns1.example.net' });
  const asked: unknown[] = [];
  const v = dnsVerifier('127.0.0.1:5353', async (name, type, opts) => {
    asked.push({ name, type, ...opts });
    if (name === 'down.example') throw new Error('timeout');
    return { addresses: ['203.0.113.1'] };
  });
  const got = await v([{ name: 'up.example', type: 'A' }, { name: 'down.example', type: 'AAAA' }]);
  t.same([...got], [['up.example/A', ['203.0.113.1']]], 'a failed lookup is unknown, not empty');
  t.match(asked[0], { server: '127.0.0.1', port: 5353 });
});

t.test('verification through the provider API when it can read records', async (t) => {
  let fail = false;
  const instance: ProviderInstance = {
    update: async () => [],
    read: async (records) => {
      if (fail) throw new Error('HTTP 503');
      return records.map((r) => ({ record: r, addresses: r.name === 'a.example' ? ['203.0.113.1'] : [] }));
    },
  };
  const got = await readVerifier(instance, 'ddnsd/test')([{ name: 'a.example', type: 'A' }, { name: 'b.example', type: 'A' }]);
  t.same([...got], [['a.example/A', ['203.0.113.1']], ['b.example/A', []]]);
  fail = true;
  t.same([...(await readVerifier(instance, 'ddnsd/test')([{ name: 'a.example', type: 'A' }]))], [], 'a failed read is unknown');
  const def = { capabilities: { ...CAPS, read: true } } as ProviderDef;
  const service = makeService();
  t.not(defaultVerifier(service, instance, def, 'x'), undefined);
  const viaDns = defaultVerifier(makeService({ dnsServer: '127.0.0.1:1' }), instance, def, 'x');
  t.type(viaDns, 'function', 'dns_server set: DNS, not the API');
});

t.test('state file: 0600 in a 0700 directory; a damaged file is never quoted in the log (its cache may hold an update URL token)', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ddnsd-state-')), 'run');
  const lines: string[] = [];
  const log = new LogSink({ write: (l) => lines.push(l) }).logger('');
  const data = { version: 1 as const, services: { home: { ...reconcileState(makeService(), undefined), cache: { updateUrl: 'https://dyn.test/u?q=T0KEN-abcdef-123456' } } } };
  await new StateStore(dir, () => data, log).save();
  t.equal(statSync(dir).mode & 0o777, 0o700, 'directory 0700');
  t.equal(statSync(join(dir, 'state.json')).mode & 0o777, 0o600, 'file 0600');
  const text = readFileSync(join(dir, 'state.json'), 'utf8');
  for (const bad of [text.replace('https', 'https\u0001'), text.replace('"https', 'https'), `${text}T0KEN`, `T0KEN${text}`]) {
    writeFileSync(join(dir, 'state.json'), bad);
    t.same(await loadState(dir, log), { version: 1, services: {} });
  }
  t.equal(lines.length, 4);
  t.notMatch(lines.join('\n'), /T0KEN|dyn\.test/, 'no excerpt of the file in the log');
  t.match(lines[1], /ignoring corrupt state file .*: not valid JSON/);
});

t.test('the first update waits on a silent DNS lookup only SEED_BOUND_MS, then cancels it and sends', async (t) => {
  const env = makeDeps();
  let aborted = false;
  let calls = 0;
  // The seed lookup hangs until cancelled; the verification after the update answers at once.
  env.deps.verifier = (_refs, vctx) =>
    calls++ > 0 ? Promise.resolve(new Map()) : new Promise((resolve) => vctx?.signal?.addEventListener('abort', () => { aborted = true; resolve(new Map()); }));
  const service = makeService({ verify: true });
  const st = reconcileState(service, undefined);
  let done = false;
  const p = runCheck(service, st, env.deps, { force: false, reason: 'start' }).then((s) => { done = true; return s; });
  await env.clock.advance(SEED_BOUND_MS - 1);
  t.notOk(done, 'still waiting just before the bound');
  t.equal(env.provider.calls.length, 0);
  await env.clock.advance(1);
  await p;
  t.equal(env.provider.calls.length, 1, 'sent once the bound passed');
  t.ok(aborted, 'the lookup was cancelled, not left running');
  t.match(env.lines.join('\n'), /is not known within 1000 ms \(resolver slow or unreachable\): updating without it/);
});

t.test('a seed lookup that answers within the bound still saves a request', async (t) => {
  const env = makeDeps();
  env.deps.verifier = env.dns.verifier;
  env.dns.records.set('home.example.com/A', ['203.0.113.7']);
  const service = makeService({ verify: true });
  const st = reconcileState(service, undefined);
  const s = await runCheck(service, st, env.deps, { force: false, reason: 'start' });
  t.equal(s.requests, 0);
  t.equal(env.clock.pendingCount, 0, 'the bound timer was cancelled');
});

t.test('lookup_host: verification asks that name (record type kept), never the provider API', async (t) => {
  const asked: string[] = [];
  const lookup = async (name: string, type: 'A' | 'AAAA') => {
    asked.push(`${name} ${type}`);
    return { addresses: ['203.0.113.1'] };
  };
  let reads = 0;
  const instance: ProviderInstance = { update: async () => [], read: async () => (reads++, []) };
  const def = { capabilities: { ...CAPS, read: true } } as ProviderDef;
  const service = makeService({ domains: ['abcdef.dynv6.net', 'b.dynv6.net'], lookupHost: 'ipv6.dynv6.com', ipVersion: 'both' });
  const v = defaultVerifier(service, instance, def, 'x', undefined, lookup);
  const got = await v([{ name: 'abcdef.dynv6.net', type: 'AAAA' }, { name: 'b.dynv6.net', type: 'A' }]);
  t.same(asked.sort(), ['ipv6.dynv6.com A', 'ipv6.dynv6.com AAAA']);
  t.same([...got].sort(), [['abcdef.dynv6.net/AAAA', ['203.0.113.1']], ['b.dynv6.net/A', ['203.0.113.1']]], 'answers are filed under each record');
  t.equal(reads, 0, 'the user named what to look up: no API read');
  asked.length = 0;
  await defaultVerifier(makeService(), instance, def, 'x', undefined, lookup)([{ name: 'home.example.com', type: 'A' }]);
  t.equal(reads, 1, 'without lookup_host a reading provider is asked');
  t.same(asked, []);
});

t.test('force_ipversion: each request travels over the family of its records; transport reaches the provider', async (t) => {
  const run = async (over: Partial<ServiceConfig>, caps = CAPS) => {
    const env = makeDeps({ capabilities: caps, forceIpVersion: over.forceIpVersion, transport: { ca: ['PEM'], insecure: true } });
    env.source.addresses = { 4: '203.0.113.7', 6: '2001:db8::7' };
    const seen: string[] = [];
    env.deps.provider = {
      update: async (updates, ctx) => {
        seen.push(`${updates.map((u) => u.record.type).join('+')} family=${ctx.transport?.family ?? '-'} ca=${ctx.transport?.ca?.length} insecure=${ctx.transport?.insecure}`);
        return updates.map((u) => ({ record: u.record, outcome: 'ok' as const, message: 'ok' }));
      },
    };
    const service = makeService({ ipVersion: 'both', ...over });
    await runCheck(service, reconcileState(service, undefined), env.deps, { force: false, reason: 'test' });
    return seen;
  };
  t.same(await run({ forceIpVersion: true }), ['A family=4 ca=1 insecure=true', 'AAAA family=6 ca=1 insecure=true']);
  t.same(await run({}), ['A family=- ca=1 insecure=true', 'AAAA family=- ca=1 insecure=true'], 'off: the system picks the family');
  t.same(await run({ forceIpVersion: true }, { ...CAPS, dualStackOneRequest: true }), ['A+AAAA family=- ca=1 insecure=true'], 'one request with both families: not forced (check warns)');
});
