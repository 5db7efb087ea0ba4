import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/schema';
import type { NotifyConfig } from '../../src/config/notify';
import { Notifications, NOTIFY_RETRY_FIRST_MS } from '../../src/engine/notify';
import type { RecordEvent } from '../../src/engine/hooks';
import { FakeClock } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { FakeHttp, type ExpectedRequest } from '../support/fake-http';

/**
 * The notify sender against fake webhook, ntfy and Gotify servers on loopback that check every
 * request field by field; time moves only on the fake clock. The log sink is told no secret,
 * so a token in a line would show: nothing but the sender's own care keeps it out.
 */

const TOKEN = 'tk_n0tify5ecretT0ken42';
const GOTIFY_TOKEN = 'AgotifyAppT0ken.x9';
const HOOK_TOKEN = 'hook-bearer-S3cret';
const START = Date.UTC(2026, 0, 1);

function configs(text: string): NotifyConfig[] {
  const cfg = loadConfig(text, { providers: [] });
  const errors = cfg.problems.filter((p) => p.severity !== 'warning');
  if (errors.length) throw new Error(errors.map((p) => p.message).join('; '));
  return cfg.notify ?? [];
}

function section(name: string, type: string, url: string, extra = ''): string {
  return `\nconfig notify '${name}'\n\toption type '${type}'\n\toption url '${url}'\n${extra}`;
}

function event(over: Partial<RecordEvent> = {}): RecordEvent {
  return {
    action: 'update', service: 'home', domain: 'home.example.com', type: 'A', old: '198.51.100.1', new: '203.0.113.7',
    state: 'ok', result: 'good 203.0.113.7', interface: 'wan', ...over,
  };
}

function setup(t: { teardown(fn: () => unknown): void }, opts: { queueMax?: number } = {}) {
  const clock = new FakeClock(START);
  const lines: string[] = [];
  const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l), now: () => clock.now() });
  const n = new Notifications({ clock, log: sink.logger(''), host: 'router1', ...opts });
  t.teardown(() => n.close());
  return { clock, lines, n };
}

/** Wait for I/O (not for time): until the condition holds, at most ~5 s of event-loop turns. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

const webhookBody = (e: RecordEvent, time = START) => ({ ...e, time: new Date(time).toISOString(), host: 'router1' });

t.test('webhook, ntfy and gotify get the right request for update, blocked and unblocked', async (t) => {
  const hook = await FakeHttp.start(t);
  const ntfy = await FakeHttp.start(t);
  const gotify = await FakeHttp.start(t);
  const { n, lines } = setup(t);
  n.apply(configs(
    section('hook', 'webhook', `${hook.url}/ddnsd/events`, `\toption token '${HOOK_TOKEN}'\n`) +
    section('phone', 'ntfy', `${ntfy.url}/my-topic`, `\toption token '${TOKEN}'\n\toption priority '4'\n`) +
    section('ops', 'gotify', `${gotify.url}/`, `\toption token '${GOTIFY_TOKEN}'\n\toption priority '8'\n`),
  ), []);

  const update = event();
  const blocked = event({ action: 'blocked', state: 'blocked', result: 'badauth', old: '203.0.113.7', new: '203.0.113.7' });
  const unblocked = event({ action: 'unblocked', state: 'pending', result: '', old: '203.0.113.7', new: '203.0.113.7' });
  for (const e of [update, blocked, unblocked]) {
    hook.expect({
      method: 'POST', path: '/ddnsd/events', auth: `Bearer ${HOOK_TOKEN}`,
      headers: { 'content-type': 'application/json' }, body: webhookBody(e), reply: { status: 204 },
    });
  }
  const ntfyStep = (title: string, tag: string, body: string): ExpectedRequest => ({
    method: 'POST', path: '/my-topic', auth: `Bearer ${TOKEN}`,
    headers: { title, tags: `ddnsd,${tag}`, priority: '4', 'content-type': 'text/plain; charset=utf-8' },
    absentHeaders: ['x-gotify-key'],
    body, reply: { body: { id: 'x1', event: 'message', topic: 'my-topic' } },
  });
  ntfy.expect(
    ntfyStep('ddnsd on router1: home.example.com (A) updated', 'arrows_counterclockwise',
      'home.example.com (A) now points to 203.0.113.7 (was 198.51.100.1). Service home, interface wan.'),
    ntfyStep('ddnsd on router1: home.example.com (A) blocked', 'no_entry',
      "home.example.com (A) is blocked: badauth. ddnsd sends nothing for it until the service's configuration changes. Service home, interface wan."),
    ntfyStep('ddnsd on router1: home.example.com (A) unblocked', 'white_check_mark',
      "home.example.com (A) is no longer blocked: the service's configuration changed. Service home, interface wan."),
  );
  const gotifyStep = (title: string, message: string): ExpectedRequest => ({
    method: 'POST', path: '/message', headers: { 'x-gotify-key': GOTIFY_TOKEN, 'content-type': 'application/json' },
    body: { title, message, priority: 8 }, reply: { body: { id: 1, appid: 1, title, message, priority: 8, date: '2026-01-01T00:00:00Z' } },
  });
  gotify.expect(
    gotifyStep('ddnsd on router1: home.example.com (A) updated', 'home.example.com (A) now points to 203.0.113.7 (was 198.51.100.1). Service home, interface wan.'),
    gotifyStep('ddnsd on router1: home.example.com (A) blocked', "home.example.com (A) is blocked: badauth. ddnsd sends nothing for it until the service's configuration changes. Service home, interface wan."),
    gotifyStep('ddnsd on router1: home.example.com (A) unblocked', "home.example.com (A) is no longer blocked: the service's configuration changed. Service home, interface wan."),
  );

  for (const e of [update, blocked, unblocked]) n.emit(e);
  await until(() => hook.received.length + ntfy.received.length + gotify.received.length === 9);
  await n.idle();
  hook.assertDone(t, 'webhook: exactly the JSON of ddnsd.record plus time and host');
  ntfy.assertDone(t, 'ntfy: topic URL, message body, Title/Tags/Priority, Bearer token');
  gotify.assertDone(t, 'gotify: /message, X-Gotify-Key, {title, message, priority}');
  t.same(Object.keys(JSON.parse(hook.received[0].body)).sort(),
    ['action', 'domain', 'host', 'interface', 'new', 'old', 'result', 'service', 'state', 'time', 'type'], 'webhook: exactly these fields');
  t.equal(gotify.received[0].url, '/message', 'gotify: no token in the URL');

  const status = n.status();
  t.same(status.map((s) => [s.name, s.type, s.enabled, s.last_sent, s.last_error, s.queued, s.next_try]), [
    ['hook', 'webhook', true, START / 1000, '', 0, 0],
    ['phone', 'ntfy', true, START / 1000, '', 0, 0],
    ['ops', 'gotify', true, START / 1000, '', 0, 0],
  ]);
  const everything = [JSON.stringify(status), ...lines].join('\n');
  for (const secret of [TOKEN, GOTIFY_TOKEN, HOOK_TOKEN]) t.notMatch(everything, secret, 'no token in a log line or the status');
  for (const req of [...hook.received, ...ntfy.received, ...gotify.received]) {
    for (const secret of [TOKEN, GOTIFY_TOKEN, HOOK_TOKEN]) t.notOk(req.body.includes(secret) || req.url.includes(secret), 'no token in a body or URL');
  }
  t.notOk(hook.received.some((r) => r.headers['x-gotify-key']), 'the webhook gets no Gotify header');
});

t.test('filters: list event and list service', async (t) => {
  const all = await FakeHttp.start(t);
  const picky = await FakeHttp.start(t);
  const { n } = setup(t);
  n.apply(configs(
    section('all', 'webhook', `${all.url}/all`) +
    section('picky', 'webhook', `${picky.url}/picky`, "\tlist event 'blocked'\n\tlist service 'garage'\n") +
    section('off', 'webhook', `${picky.url}/off`, "\toption enabled '0'\n"),
  ), []);
  const events = [
    event(),
    event({ action: 'blocked', state: 'blocked' }),
    event({ service: 'garage', domain: 'garage.example.com' }),
    event({ service: 'garage', domain: 'garage.example.com', action: 'blocked', state: 'blocked' }),
  ];
  for (const e of events) all.expect({ method: 'POST', path: '/all', headers: { 'content-type': 'application/json' }, body: webhookBody(e) });
  picky.expect({ method: 'POST', path: '/picky', body: webhookBody(events[3]) });
  for (const e of events) n.emit(e);
  await until(() => all.received.length === 4 && picky.received.length >= 1);
  await n.idle();
  all.assertDone(t, 'no filter: every event of every service');
  picky.assertDone(t, 'event blocked of service garage only; a disabled section sends nothing');
});

t.test('a failing server: retried with backoff on the clock; a hanging one is cut at 10 s; a refused connection too', async (t) => {
  const hook = await FakeHttp.start(t);
  const { n, clock, lines } = setup(t);
  n.apply(configs(section('hook', 'webhook', `${hook.url}/h`, `\toption token '${HOOK_TOKEN}'\n`)), []);
  const e = event();
  const step = (reply: ExpectedRequest['reply']): ExpectedRequest => ({ method: 'POST', path: '/h', auth: `Bearer ${HOOK_TOKEN}`, body: webhookBody(e, clock.now()), reply });

  hook.expect({ ...step({ status: 500, body: `internal error, your token ${HOOK_TOKEN} is fine` }) });
  n.emit(e);
  await until(() => hook.received.length === 1);
  await n.idle();
  let s = n.status()[0];
  t.equal(s.queued, 1, 'the event waits');
  t.match(s.last_error, /^the webhook answered 500 \(internal error, your token \*\*\* is fine\)$/, 'the reply is quoted with the token masked');
  t.equal(s.next_try, (START + NOTIFY_RETRY_FIRST_MS) / 1000);
  t.match(lines.at(-1), /notify hook: the webhook answered 500 .*; trying again in 30 s \(1 event waiting\)/);

  await clock.advance(NOTIFY_RETRY_FIRST_MS - 1);
  t.equal(hook.received.length, 1, 'nothing before the backoff ends');
  // The second try hangs: cut at the timeout, then the wait doubles.
  hook.expect({ method: 'POST', path: '/h', auth: `Bearer ${HOOK_TOKEN}`, body: webhookBody(e, START + NOTIFY_RETRY_FIRST_MS), reply: { hang: true } });
  await clock.advance(1);
  await until(() => hook.received.length === 2);
  t.equal(n.status()[0].queued, 1);
  await clock.advance(10_000);
  await n.idle();
  s = n.status()[0];
  t.equal(s.last_error, 'cannot reach the webhook: no answer within 10 s', 'a hanging server is cut at the timeout');
  t.equal(s.next_try, (START + NOTIFY_RETRY_FIRST_MS + 10_000 + 60_000) / 1000, 'then 60 s');

  // The server goes away: connection refused, and the wait doubles again.
  const gone = await closedPort();
  n.apply(configs(section('hook', 'webhook', `http://127.0.0.1:${gone}/h`, `\toption token '${HOOK_TOKEN}'\n`)), []);
  n.emit(e);
  await until(() => n.status()[0].last_error !== '');
  await n.idle();
  t.match(n.status()[0].last_error, /^cannot reach the webhook: .*127\.0\.0\.1/, 'a refused connection is a failure to retry');
  t.equal(n.status()[0].next_try, clock.now() / 1000 + 30, 'a changed section starts its backoff afresh');
  await clock.advance(30_000);
  await until(() => n.status()[0].next_try !== clock.now() / 1000);
  await n.idle();
  t.equal(n.status()[0].next_try, clock.now() / 1000 + 60, 'doubled');
  for (const l of lines) t.notMatch(l, HOOK_TOKEN);
  hook.assertDone(t);
});

t.test('429 honours Retry-After; a later success empties the queue and logs once', async (t) => {
  const ntfy = await FakeHttp.start(t);
  const { n, clock, lines } = setup(t);
  n.apply(configs(section('phone', 'ntfy', `${ntfy.url}/t`)), []);
  const step = (reply: ExpectedRequest['reply']): ExpectedRequest => ({ method: 'POST', path: '/t', body: /now points to/, headers: { title: /updated$/ }, reply });
  ntfy.expect(step({ status: 429, headers: { 'retry-after': '120' }, body: { code: 42901, http: 429, error: 'limit reached' } }));
  n.emit(event());
  await until(() => ntfy.received.length === 1);
  await n.idle();
  t.equal(n.status()[0].last_error, 'ntfy answered 429 too many requests (limit reached)');
  t.equal(n.status()[0].next_try, START / 1000 + 120, 'Retry-After 120 s beats the first 30 s');
  ntfy.expect(step({ body: { id: 'a' } }));
  await clock.advance(120_000);
  await until(() => ntfy.received.length === 2);
  await n.idle();
  t.same([n.status()[0].queued, n.status()[0].last_error, n.status()[0].last_sent], [0, '', START / 1000 + 120]);
  t.match(lines.at(-1), /notify phone: sent again after failures/);
  ntfy.assertDone(t);
});

t.test('401: logged with what to check, that event dropped, no retry storm', async (t) => {
  const ntfy = await FakeHttp.start(t);
  const { n, clock, lines } = setup(t);
  n.apply(configs(section('phone', 'ntfy', `${ntfy.url}/t`, `\toption token '${TOKEN}'\n`)), []);
  ntfy.expect(
    { method: 'POST', path: '/t', auth: `Bearer ${TOKEN}`, body: /now points to/, headers: { title: /updated$/ }, reply: { status: 401, body: { code: 40101, http: 401, error: 'unauthorized' } } },
    { method: 'POST', path: '/t', auth: `Bearer ${TOKEN}`, body: /is blocked/, headers: { title: /blocked$/ }, reply: { status: 403, body: { code: 40301, http: 403, error: 'forbidden' } } },
  );
  n.emit(event());
  n.emit(event({ action: 'blocked', state: 'blocked' }));
  await until(() => ntfy.received.length === 2);
  await n.idle();
  t.match(lines, [
    /notify phone: ntfy answered 401 unauthorized: check option token; the update event of home\.example\.com \(A\) was dropped/,
    /notify phone: ntfy answered 403 forbidden: check option token; the blocked event of home\.example\.com \(A\) was dropped/,
  ]);
  t.same([n.status()[0].queued, n.status()[0].next_try], [0, 0]);
  await clock.advance(3_600_000);
  t.equal(ntfy.received.length, 2, 'one request per event, none again');
  ntfy.assertDone(t);
});

t.test('a full queue drops the oldest, with one line saying how many', async (t) => {
  const hook = await FakeHttp.start(t);
  const { n, clock, lines } = setup(t, { queueMax: 3 });
  n.apply(configs(section('hook', 'webhook', `${hook.url}/h`)), []);
  hook.expect({ method: 'POST', path: '/h', body: { ...webhookBody(event({ domain: 'd1.example.com' })) }, reply: { status: 503 } });
  for (let i = 1; i <= 6; i++) n.emit(event({ domain: `d${i}.example.com` }));
  await until(() => hook.received.length === 1);
  await n.idle();
  t.equal(n.status()[0].queued, 3, 'bounded');
  const later = START + NOTIFY_RETRY_FIRST_MS;
  for (const i of [4, 5, 6]) hook.expect({ method: 'POST', path: '/h', body: webhookBody(event({ domain: `d${i}.example.com` }), later) });
  await clock.advance(NOTIFY_RETRY_FIRST_MS);
  await until(() => hook.received.length === 4);
  await n.idle();
  t.equal(lines.filter((l) => /dropped/.test(l)).length, 1);
  t.match(lines.find((l) => /dropped/.test(l)), /notify hook: the queue was full \(3 events\); the 3 oldest were dropped/);
  hook.assertDone(t, 'the newest three arrive, in order');
});

t.test('test message and reload: a changed section starts afresh, an unchanged one keeps its history', async (t) => {
  const hook = await FakeHttp.start(t);
  const { n } = setup(t);
  const text = section('hook', 'webhook', `${hook.url}/h`, "\toption enabled '0'\n");
  n.apply(configs(text), [{ name: 'bad', error: 'bad.type: required' }]);
  hook.expect({
    method: 'POST', path: '/h',
    body: { action: 'test', service: '', domain: '', type: '', old: '', new: '', state: '', result: '', interface: '', time: new Date(START).toISOString(), host: 'router1' },
  });
  t.same(await n.test('hook'), { notify: 'hook', ok: true, message: 'the webhook answered 200' }, 'a disabled section can be tested');
  t.same(await n.test('bad'), { notify: 'bad', ok: false, message: "the section's configuration is rejected: bad.type: required" });
  t.same(await n.test('nope'), { notify: 'nope', ok: false, message: "no notify section named 'nope'" });
  t.same(n.status().map((s) => [s.name, s.last_sent, s.error]), [['hook', START / 1000, ''], ['bad', 0, 'bad.type: required']]);
  n.apply(configs(text), []);
  t.equal(n.status()[0].last_sent, START / 1000, 'unchanged: history kept');
  n.apply(configs(section('hook', 'webhook', `${hook.url}/other`)), []);
  t.equal(n.status()[0].last_sent, 0, 'changed: a new sender');
  hook.assertDone(t);
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
