import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, type DaemonOptions } from '../../src/engine/daemon';
import { loadConfig } from '../../src/config/schema';
import { FakeHttp } from '../support/fake-http';
import type { LoadedConfig, ServiceConfig } from '../../src/config/types';
import type { Detection, Family, Source } from '../../src/detect/types';
import type { ProviderDef, ProviderInput, RecordUpdate, UpdateResult } from '../../src/providers/types';
import { FakeClock } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { Secret } from '../../src/util/secret';
import type { EngineBus } from '../../src/engine/bus';
import { CAPS, FakeDns, makeService } from './helpers';
import { FakeBus } from './fake-bus';

const PASSWORD = 'hunter2-very-secret';

/** A network source over the fake bus (the real one lives in src/detect). */
function netSource(service: ServiceConfig, bus: EngineBus): Source {
  return {
    kind: 'network',
    signalsChanges: true,
    async detect(family: Family): Promise<Detection> {
      const st = await bus.call(`network.interface.${service.ipNetwork ?? service.interface}`, 'status');
      const list = (st?.[family === 4 ? 'ipv4-address' : 'ipv6-address'] as { address: string }[]) ?? [];
      return { family, address: list[0]?.address, candidates: list.map((a) => ({ address: a.address, origin: 'network', kept: true, reason: 'first' })), warnings: [] };
    },
  };
}

interface World {
  bus: FakeBus;
  clock: FakeClock;
  dir: string;
  calls: { service: string; updates: RecordUpdate[] }[];
  answers: string[];
  /** `notify`: UCI text of notify sections, read by the real schema. */
  config: { services: Partial<ServiceConfig>[]; rejected?: string[]; unparsable?: boolean; notify?: string };
  dns: FakeDns;
  lines: string[];
  start(): Promise<Daemon>;
}

function world(t: { teardown(fn: () => unknown): void }): World {
  const w: World = {
    bus: new FakeBus(),
    clock: new FakeClock(),
    dir: mkdtempSync(join(tmpdir(), 'ddnsd-daemon-')),
    calls: [],
    answers: [],
    config: { services: [{ name: 'home' }] },
    dns: new FakeDns(),
    lines: [],
    start: async () => {
      const sink = new LogSink({ level: 'debug', write: (l) => w.lines.push(l), now: () => w.clock.now() });
      const d = await Daemon.start(options(w, sink));
      t.teardown(() => d.stop());
      return d;
    },
  };
  w.bus.setWan('203.0.113.7');
  return w;
}

function provider(w: World): ProviderDef {
  return {
    id: 'fake', title: 'Fake', aliases: [], capabilities: CAPS,
    fields: [{ name: 'username', label: 'User', type: 'string' }, { name: 'password', label: 'Password', type: 'password', secret: true }],
    settings: (input) => ({ settings: input }),
    create(opts: ProviderInput) {
      return {
        async update(updates: RecordUpdate[]): Promise<UpdateResult[]> {
          w.calls.push({ service: String(opts.username), updates });
          const answer = w.answers.shift() ?? 'good';
          const outcome = answer === 'badauth' ? 'auth' : answer === '911' ? 'transient' : 'ok';
          // A provider echoing the password: the engine must still keep it out of every text.
          return updates.map((u) => ({ record: u.record, outcome, message: `${answer} ${u.address} (pw ${(opts.password as Secret).reveal()})`, retryAfterMs: answer === '911' ? 1800_000 : undefined }));
        },
      };
    },
  };
}

function loadFake(text: string): LoadedConfig {
  const c = JSON.parse(text) as World['config'];
  const services = c.services.map((s) =>
    makeService({ providerOptions: { username: s.name ?? 'home', password: new Secret(PASSWORD) }, fingerprint: JSON.stringify(s), ...s }),
  );
  if (c.unparsable) {
    // What loadConfig returns for a file that is not UCI.
    return { global: { logLevel: 'debug', allowPrivate: false, logLines: 500 }, services: [], rejected: [], problems: [{ section: '', message: 'parse error (EOF with unterminated \') at line 9' }], unparsable: true };
  }
  const rejected = (c.rejected ?? []).map((name) => ({ name, problems: [{ section: name, option: 'provider', message: "unknown provider 'nope'" }] }));
  const notify = loadConfig(c.notify ?? '', { providers: [] });
  return {
    global: { logLevel: 'debug', allowPrivate: false, logLines: 500 }, services, rejected, problems: [...rejected.flatMap((r) => r.problems), ...notify.problems],
    notify: notify.notify, rejectedNotify: notify.rejectedNotify,
  };
}

function options(w: World, sink: LogSink): DaemonOptions {
  return {
    configPath: '/etc/config/ddnsd', stateDir: w.dir, clock: w.clock, sink,
    providers: [provider(w)],
    readConfig: async () => JSON.stringify(w.config),
    loadConfig: loadFake,
    connectBus: async () => w.bus,
    sourceFactory: netSource,
    verifierFactory: () => w.dns.verifier,
    random: () => 0,
    hostname: 'router1',
  };
}

/** The ubus status a call failed with (0 when it did not fail). */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

async function settle(d: Daemon, clock: FakeClock) {
  await clock.advance(0);
  await d.idle();
  await clock.advance(0);
}

t.test('start: one check per enabled service, then only on events', async (t) => {
  const w = world(t);
  w.config.services = [{ name: 'home' }, { name: 'off', enabled: false, domains: ['off.example.com'] }];
  const d = await w.start();
  await settle(d, w.clock);
  t.same(w.calls.map((c) => c.service), ['home']);
  t.ok(w.bus.objects.has('ddnsd'), 'ddnsd object registered');
  t.equal(w.bus.subscribers.get('network.interface')?.length, 1, 'subscribed to netifd');

  w.bus.setWan('198.51.100.44');
  w.bus.notify('interface.update', { interface: 'wan' });
  await settle(d, w.clock);
  t.equal(w.calls.length, 2, 'a netifd notification with a new address: one request');
  t.equal(w.calls[1].updates[0].address, '198.51.100.44');

  w.bus.notify('interface.update', { interface: 'lan' });
  w.bus.notify('interface.down', { interface: 'wan' });
  await settle(d, w.clock);
  await w.clock.advance(3600_000);
  t.equal(w.calls.length, 2, 'other interfaces, ifdown and an hour of silence: nothing');
});

t.test('hotplug notify and events share the single-flight runner', async (t) => {
  const w = world(t);
  const d = await w.start();
  await settle(d, w.clock);
  w.bus.setWan('198.51.100.45');
  for (let i = 0; i < 20; i++) {
    await w.bus.invoke('ddnsd', 'notify', { interface: 'wan', action: 'ifupdate', ubus_rpc_session: 'x' });
    w.bus.event('network.interface', { action: 'ifup', interface: 'wan' });
    await w.clock.advance(5);
  }
  await settle(d, w.clock);
  t.equal(w.calls.length, 2, 'start + exactly one for the burst');
  t.equal(await statusOf(w.bus.invoke('ddnsd', 'notify', { interface: 'wan', action: 'reboot' })), 2, 'a bad action is INVALID_ARGUMENT');
});

t.test('restart with state sends nothing; without state and DNS right only verifies', async (t) => {
  const w = world(t);
  w.config.services = [{ name: 'home', verify: true }];
  w.dns.records.set('home.example.com/A', ['192.0.2.1']);
  const d1 = await w.start();
  await settle(d1, w.clock);
  t.equal(w.calls.length, 1, 'DNS differs: one update');
  t.equal(w.dns.lookups, 2, 'a lookup before and one after');
  w.dns.records.set('home.example.com/A', ['203.0.113.7']);
  await d1.stop();
  t.ok(existsSync(join(w.dir, 'state.json')), 'state flushed on stop');

  const d2 = await w.start();
  await settle(d2, w.clock);
  t.equal(w.calls.length, 1, 'restart with state: zero requests');

  const w2 = world(t);
  w2.config.services = [{ name: 'home', verify: true }];
  w2.dns.records.set('home.example.com/A', ['203.0.113.7']);
  const d3 = await w2.start();
  await settle(d3, w2.clock);
  t.equal(w2.calls.length, 0, 'no state, DNS right: no update');
  t.equal(w2.dns.lookups, 1, 'one verification');
  const rec = (d3.status().services[0].records[0]);
  t.equal(rec.verified, true);
  t.equal(rec.registered, '203.0.113.7');
});

t.test('a corrupt state file is logged and ignored', async (t) => {
  const w = world(t);
  writeFileSync(join(w.dir, 'state.json'), '{"version":1,"services":{"home":{"records":7');
  const d = await w.start();
  await settle(d, w.clock);
  t.ok(w.lines.some((l) => /ignoring corrupt state file/.test(l)));
  t.equal(w.calls.length, 1);
  await d.stop();
  t.equal(JSON.parse(readFileSync(join(w.dir, 'state.json'), 'utf8')).services.home.records[0].registered, '203.0.113.7', 'rewritten whole');
});

t.test('badauth blocks until the config changes (reload)', async (t) => {
  const w = world(t);
  w.answers.push('badauth');
  const d = await w.start();
  await settle(d, w.clock);
  t.equal(d.status().services[0].state, 'blocked');
  w.bus.setWan('198.51.100.2');
  w.bus.notify('interface.update', { interface: 'wan' });
  await w.bus.invoke('ddnsd', 'update', { force: true });
  await w.bus.invoke('ddnsd', 'reload');
  await settle(d, w.clock);
  t.equal(w.calls.length, 1, 'no request: events, forced update and a reload without change');
  w.config.services = [{ name: 'home', retryIntervalMs: 120_000 }];
  const r = (await w.bus.invoke('ddnsd', 'reload')) as { started: string[] };
  await settle(d, w.clock);
  t.same(r.started, ['home']);
  t.equal(w.calls.length, 2, 'a changed configuration sends again');
  t.equal(d.status().services[0].state, 'ok');
});

t.test('reload with one broken service: its error in status, the others keep updating', async (t) => {
  const w = world(t);
  w.config.services = [{ name: 'a', domains: ['a.example.com'] }, { name: 'b', domains: ['b.example.com'] }];
  const d = await w.start();
  await settle(d, w.clock);
  t.equal(w.calls.length, 2);
  w.config.services = [{ name: 'a', domains: ['a.example.com'] }];
  w.config.rejected = ['b'];
  const r = (await w.bus.invoke('ddnsd', 'reload')) as { unchanged: string[]; rejected: { name: string }[] };
  t.same(r.unchanged, ['a'], 'a unchanged keeps its state');
  t.same(r.rejected.map((x) => x.name), ['b']);
  await settle(d, w.clock);
  t.equal(w.calls.length, 2, 'the reload itself sent nothing');
  const st = d.status();
  const b = st.services.find((s) => s.name === 'b')!;
  t.equal(b.state, 'error');
  t.match(b.error, /unknown provider 'nope'/);
  w.bus.setWan('198.51.100.3');
  w.bus.notify('interface.update', { interface: 'wan' });
  await settle(d, w.clock);
  t.same(w.calls.slice(2).map((c) => c.service), ['a'], 'a keeps updating');
});

t.test('status has every contract field; no secret in replies, logs or errors', async (t) => {
  const w = world(t);
  w.config.services = [{ name: 'home', ipVersion: 'both' }];
  w.bus.netifd.set('wan', { up: true, 'ipv4-address': [{ address: '203.0.113.7', mask: 24 }], 'ipv6-address': [{ address: '2001:db8::7', mask: 64 }] });
  const d = await w.start();
  await settle(d, w.clock);
  const st = (await w.bus.invoke('ddnsd', 'status', { ubus_rpc_session: 'abc' })) as Record<string, unknown>;
  t.strictSame(Object.keys(st).sort(), ['errors', 'notify', 'services', 'uptime', 'version']);
  const svc = (st.services as Record<string, unknown>[])[0];
  t.strictSame(Object.keys(svc).sort(), ['active_interface', 'active_reason', 'detected', 'enabled', 'error', 'interface', 'interfaces', 'last_check', 'name', 'next_check', 'provider', 'records', 'source', 'state', 'wans', 'warnings']);
  t.same(svc.detected, { ipv4: '203.0.113.7', ipv6: '2001:db8::7' });
  const recs = svc.records as Record<string, unknown>[];
  t.equal(recs.length, 2);
  for (const r of recs) {
    t.strictSame(Object.keys(r).sort(), ['detected', 'last_change', 'last_check', 'last_result', 'name', 'next_check', 'registered', 'state', 'type', 'verified']);
    t.equal(r.state, 'ok');
    t.equal(r.last_check, Math.floor(w.clock.now() / 1000), 'Unix seconds');
  }
  t.equal(await statusOf(w.bus.invoke('ddnsd', 'status', { service: 'nope' })), 4, 'an unknown service is NOT_FOUND');
  const replies = [
    st,
    await w.bus.invoke('ddnsd', 'log', { lines: 1000 }),
    await w.bus.invoke('ddnsd', 'detect', {}),
    await w.bus.invoke('ddnsd', 'providers'),
    await w.bus.invoke('ddnsd', 'test', { service: 'home' }),
  ];
  const all = JSON.stringify(replies) + w.lines.join('\n');
  t.notOk(all.includes(PASSWORD), 'the password is nowhere');
  t.ok(all.includes('pw ***'), 'the echoed password was masked');
  t.ok(JSON.stringify(replies[1]).includes('set to 203.0.113.7'), 'log lines are there');
});

t.test('911 holds requests for the provider minimum; log -f style paging', async (t) => {
  const w = world(t);
  w.answers.push('911');
  const d = await w.start();
  await settle(d, w.clock);
  const st = d.status().services[0];
  t.equal(st.state, 'retrying');
  t.equal(st.next_check, Math.floor((w.clock.now() + 1800_000) / 1000));
  w.bus.notify('interface.update', { interface: 'wan' });
  await settle(d, w.clock);
  t.equal(w.calls.length, 1);
  await w.clock.advance(1800_000);
  await settle(d, w.clock);
  t.equal(w.calls.length, 2);
  const page = d.log({ lines: 2 });
  const after = page.lines[page.lines.length - 1].id as number;
  t.same(d.log({ after }).lines, [], 'nothing newer yet');
  w.bus.notify('interface.update', { interface: 'wan' });
  await settle(d, w.clock);
  t.ok(d.log({ after }).lines.length > 0, 'new lines after the id');
});

t.test('netifd appearing later is subscribed to; ubus retried until it is there', async (t) => {
  const w = world(t);
  w.bus.netifdPresent = false;
  let attempts = 0;
  const sink = new LogSink({ level: 'debug', write: (l) => w.lines.push(l), now: () => w.clock.now() });
  const opts = options(w, sink);
  opts.connectBus = async () => {
    if (++attempts < 3) throw new Error('connect ENOENT /tmp/none');
    return w.bus;
  };
  const started = Daemon.start(opts);
  for (let i = 0; i < 1000 && attempts < 3; i++) await w.clock.advance(100);
  const d = await started;
  t.teardown(() => d.stop());
  t.equal(attempts, 3);
  t.equal(w.lines.filter((l) => /ubus is not reachable/.test(l)).length, 1, 'one warning, not one per attempt');
  t.notOk(w.bus.subscribers.get('network.interface')?.length);
  w.bus.netifdPresent = true;
  w.bus.event('ubus.object.add', { id: 5, path: 'network.interface' });
  await settle(d, w.clock);
  t.equal(w.bus.subscribers.get('network.interface')?.length, 1, 'subscribed once netifd appeared');
});

t.test('concurrent reloads run one after another', async (t) => {
  const w = world(t);
  const d = await w.start();
  await settle(d, w.clock);
  w.config.services = [{ name: 'home', retryIntervalMs: 90_000 }];
  const [r1, r2] = await Promise.all([d.reload(), d.reload()]);
  t.same(r1.started, ['home'], 'the first sees the change');
  t.same(r2.unchanged, ['home'], 'the second finds nothing more to do');
  await settle(d, w.clock);
  t.equal(w.calls.length, 1, 'no extra runner, no extra request');
});

t.test('a state dir that cannot be written: a plain error, and stop does not claim the state was saved', async (t) => {
  const w = world(t);
  w.dir = join(w.dir, 'not-a-dir');
  writeFileSync(w.dir, '');
  const d = await w.start();
  await settle(d, w.clock);
  await d.stop();
  const log = w.lines.join('\n');
  t.match(log, /cannot write state .*not-a-dir\/state\.json: a file is in the way of a directory on the path/);
  t.equal(w.lines.filter((l) => /cannot write state/.test(l)).length, 1, 'said once, not after every check');
  t.notMatch(log, /E[A-Z]{4,}/, 'no errno code');
  t.match(w.lines.at(-1), /stopped; the state was not saved$/);
  t.notMatch(log, /state saved/);
});

t.test('a reload of a file that is not UCI keeps every service running and says why', async (t) => {
  const w = world(t);
  const d = await w.start();
  await settle(d, w.clock);
  t.equal(w.calls.length, 1);
  w.config.unparsable = true;
  const r = (await w.bus.invoke('ddnsd', 'reload')) as { ok: boolean; error: string };
  t.equal(r.ok, false);
  t.match(r.error, /parse error/);
  const st = d.status();
  t.same(st.services.map((s) => s.name), ['home'], 'still there');
  t.match(st.errors[0], /^\/etc\/config\/ddnsd: parse error .*at line 9$/);
  t.ok(w.lines.some((l) => /parse error .*; keeping the services as they were/.test(l)));
  w.bus.setWan('203.0.113.8');
  w.bus.notify('interface.update', { interface: 'wan' });
  await settle(d, w.clock);
  t.equal(w.calls.length, 2, 'and it keeps updating');
});

t.test('a missing file at start says that no service runs until it is fixed, not that services are kept', async (t) => {
  const w = world(t);
  const sink = new LogSink({ level: 'debug', write: (l) => w.lines.push(l), now: () => w.clock.now() });
  const missing = Object.assign(new Error("ENOENT: no such file or directory, open '/etc/config/ddnsd'"), { code: 'ENOENT' });
  const d = await Daemon.start({ ...options(w, sink), readConfig: async () => { throw missing; } });
  t.teardown(() => d.stop());
  t.ok(w.lines.includes('error: cannot read /etc/config/ddnsd: no such file; no service runs until it is fixed (then: /etc/init.d/ddnsd reload)'), w.lines.join('\n'));
  t.same(d.status().errors, ['cannot read /etc/config/ddnsd: no such file']);
});

t.test('notify: a failing server is retried on the clock while updates go on; ubus test {notify}; status notify', async (t) => {
  const w = world(t);
  const hook = await FakeHttp.start(t);
  const TOKEN = 'notify-T0ken-never-shown';
  w.config.notify = `config notify 'hook'\n\toption type 'webhook'\n\toption url '${hook.url}/h'\n\toption token '${TOKEN}'\n\nconfig notify 'broken'\n\toption type 'pager'\n\toption url '${hook.url}/x'\n`;
  // The first event's POST gets 500 twice; the record's updates must not wait for it.
  const fields = { action: 'update', service: 'home', domain: 'home.example.com', type: 'A', state: 'ok', interface: 'wan', host: 'router1' };
  const first = { ...fields, old: '', new: '203.0.113.7', result: 'good 203.0.113.7 (pw ***)' };
  hook.expect(
    { method: 'POST', path: '/h', auth: `Bearer ${TOKEN}`, body: { ...first, time: new Date(w.clock.now()).toISOString() }, reply: { status: 500 } },
  );
  const d = await w.start();
  await settle(d, w.clock);
  for (let i = 0; i < 400 && hook.received.length < 1; i++) await new Promise((r) => setTimeout(r, 5));
  await d.notifications.idle();
  t.equal(w.calls.length, 1, 'the first update went out');
  let st = d.status();
  t.same(st.notify.map((n) => [n.name, n.type, n.enabled, n.queued, n.last_sent]), [['hook', 'webhook', true, 1, 0], ['broken', '', false, 0, 0]]);
  t.match(st.notify[0].last_error, /answered 500/);
  t.match(st.notify[1].error, /^broken\.type: 'pager' is not allowed/);

  // The address changes while the notification waits for its retry: the update is not held.
  w.bus.setWan('198.51.100.44');
  w.bus.notify('interface.update', { interface: 'wan' });
  await settle(d, w.clock);
  t.equal(w.calls.length, 2, 'the second update went out at once');
  t.equal(w.calls[1].updates[0].address, '198.51.100.44');
  t.equal(hook.received.length, 1, 'no notification request while the backoff runs');
  t.equal(d.status().notify[0].queued, 2, 'the second event waits behind the first');

  const retryAt = w.clock.now() + 30_000;
  hook.expect(
    { method: 'POST', path: '/h', auth: `Bearer ${TOKEN}`, body: { ...first, time: new Date(retryAt).toISOString() } },
    { method: 'POST', path: '/h', auth: `Bearer ${TOKEN}`, body: { ...fields, old: '203.0.113.7', new: '198.51.100.44', result: 'good 198.51.100.44 (pw ***)', time: new Date(retryAt).toISOString() } },
  );
  await w.clock.advance(30_000);
  for (let i = 0; i < 400 && hook.received.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  await d.notifications.idle();
  st = d.status();
  t.same([st.notify[0].queued, st.notify[0].last_error, st.notify[0].last_sent], [0, '', retryAt / 1000]);

  hook.expect({
    method: 'POST', path: '/h', auth: `Bearer ${TOKEN}`,
    body: { action: 'test', service: '', domain: '', type: '', old: '', new: '', state: '', result: '', interface: '', time: new Date(w.clock.now()).toISOString(), host: 'router1' },
  });
  t.same(await w.bus.invoke('ddnsd', 'test', { notify: 'hook', ubus_rpc_session: 'x' }), { notify: 'hook', ok: true, message: 'the webhook answered 200' });
  t.same(await w.bus.invoke('ddnsd', 'test', { notify: 'broken' }), { notify: 'broken', ok: false, message: "the section's configuration is rejected: broken.type: 'pager' is not allowed; use webhook, ntfy, gotify" });
  t.equal(await statusOf(w.bus.invoke('ddnsd', 'test', { notify: 'nope' })), 4, 'an unknown section is NOT_FOUND');
  t.equal(await statusOf(w.bus.invoke('ddnsd', 'test', { notify: 'hook', service: 'home' })), 2, 'both: INVALID_ARGUMENT');
  t.equal(await statusOf(w.bus.invoke('ddnsd', 'test', {})), 2);
  hook.assertDone(t);
  const all = JSON.stringify(d.status()) + w.lines.join('\n');
  t.notOk(all.includes(TOKEN), 'the token is in no log line and no status reply');
  t.ok(w.lines.some((l) => /notify broken skipped: broken\.type: 'pager' is not allowed/.test(l)), 'a rejected section is logged');
});
