/**
 * End to end over the test broker: ids, lookup, invoke routing with the peer rewrite,
 * argument checking, events, subscribe/notify, object removal on disconnect.
 */
import t from 'tap';
import { UbusClient, UbusError, UbusStatus, typed } from '../../src/ubus';
import { FakeClock, settle } from '../../src/util/clock';
import { LogSink, type LogEntry } from '../../src/util/log';
import { TestBroker } from '../support/ubus-broker';

type Table = Record<string, unknown>;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await settle();
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

async function setup(t: tap.Test, n = 2) {
  const broker = await TestBroker.start();
  const clients: UbusClient[] = [];
  for (let i = 0; i < n; i++) clients.push(await UbusClient.connect({ socketPath: broker.socketPath }));
  t.teardown(async () => {
    for (const c of clients) c.close();
    await broker.close();
  });
  return { broker, clients };
}

/** Asserts that `p` rejects with an error matching `want`. */
async function fails(t: tap.Test, p: Promise<unknown>, want: Table, msg = 'rejects as expected'): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (err === undefined) t.fail(`${msg}: it resolved`);
  else t.match(err, want, msg);
}

const echo = { args: { msg: 'string' as const, id: 'int32' as const }, handler: (a: Table) => a };

t.test('client ids are random, distinct and above the system range', async (t) => {
  const { clients } = await setup(t, 3);
  const ids = clients.map((c) => c.clientId);
  t.equal(new Set(ids).size, 3);
  for (const id of ids) t.ok(id >= 1024, `id ${id.toString(16)} >= 1024`);
});

t.test('lookup: all, exact, prefix, unknown', async (t) => {
  const { clients: [a, b] } = await setup(t);
  await a!.addObject('rig.one', { echo, types: { handler: () => ({}) } });
  await a!.addObject('rig.two', { status: { handler: () => ({}) } });
  await a!.addObject('other', {});
  const all = await b!.lookup();
  t.same(all.map((o) => o.path), ['other', 'rig.one', 'rig.two'], 'sorted like ubusd');
  t.same(all[1]!.signature, { echo: { msg: 3, id: 5 }, types: {} });
  t.same((await b!.lookup('rig*')).map((o) => o.path), ['rig.one', 'rig.two']);
  t.equal((await b!.lookup('rig.two')).length, 1);
  await fails(t, b!.lookup('nope'), { status: UbusStatus.NOT_FOUND });
  await fails(t, a!.addObject('rig.one', {}), { status: UbusStatus.INVALID_ARGUMENT }, 'duplicate path refused');
});

t.test('invoke routing: the server sees the caller id, the caller gets the reply', async (t) => {
  const { clients: [a, b] } = await setup(t);
  const seen: Table[] = [];
  await a!.addObject('svc', {
    who: { handler: (_args, ctx) => { seen.push({ ...ctx }); return { peer: typed('int64', ctx.peer) }; } },
    echo,
  });
  const r = await b!.call('svc', 'who');
  t.same(seen, [{ object: 'svc', method: 'who', peer: b!.clientId, user: 'root', group: 'root' }]);
  t.same(r, { peer: b!.clientId });
  t.same(await b!.call('svc', 'echo', { msg: 'x', id: 3 }), { msg: 'x', id: 3 });
  // concurrent calls from several callers with overlapping seq numbers all come back right
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a! : b!).call('svc', 'echo', { msg: `m${i}`, id: i })));
  t.same(many.map((m) => m!.id), Array.from({ length: 50 }, (_, i) => i));
});

t.test('argument checking follows libubus', async (t) => {
  const sink = new LogSink({ write: () => {}, level: 'debug' });
  const lines: LogEntry[] = [];
  sink.onEntry((e) => lines.push(e));
  const broker = await TestBroker.start();
  const a = await UbusClient.connect({ socketPath: broker.socketPath, log: sink.logger('ubus') });
  const b = await UbusClient.connect({ socketPath: broker.socketPath });
  t.teardown(async () => { a.close(); b.close(); await broker.close(); });
  const got: Table[] = [];
  await a.addObject('svc', {
    update: { args: { service: 'string', force: 'bool' }, handler: (args) => { got.push(args); return { ok: true }; } },
    boom: { handler: () => { throw new Error('kaput'); } },
    deny: { handler: () => { throw new UbusError(UbusStatus.PERMISSION_DENIED); } },
    later: { handler: async () => { await settle(); return { late: 1 }; } },
    nothing: { handler: () => undefined },
    bad: { handler: () => 'not a table' },
    huge: { handler: () => ({ s: 'x'.repeat(1024 * 1024) }) },
  });
  t.same(await b.call('svc', 'update', { service: 'wan', force: true, ubus_rpc_session: 'abc' }), { ok: true });
  t.same(got, [{ service: 'wan', force: true }], 'unknown argument ignored, known ones typed');
  await fails(t, b.call('svc', 'update', { service: 5 }), { status: UbusStatus.INVALID_ARGUMENT, statusName: 'INVALID_ARGUMENT' }, 'wrong type → 2');
  await fails(t, b.call('svc', 'update', { force: 1 }), { status: 2 }, 'int32 where bool is declared → 2');
  await fails(t, b.call('svc', 'nosuch'), { status: UbusStatus.METHOD_NOT_FOUND });
  await fails(t, b.call('svc', 'boom'), { status: UbusStatus.UNKNOWN_ERROR });
  t.ok(lines.some((l) => l.level === 'error' && /svc\.boom failed: kaput/.test(l.message)), 'a log line for the thrown error');
  t.notOk(lines.some((l) => /\n|at .*\.ts:\d+/.test(l.message)), 'no stack trace in the log');
  await fails(t, b.call('svc', 'deny'), { status: UbusStatus.PERMISSION_DENIED });
  t.same(await b.call('svc', 'later'), { late: 1 }, 'async handler');
  t.equal(await b.call('svc', 'nothing'), undefined, 'no DATA when the handler returns nothing');
  await fails(t, b.call('svc', 'bad'), { status: UbusStatus.UNKNOWN_ERROR }, 'a non-table reply is a handler error');
  t.ok(await b.call('svc', 'update', {}), 'missing arguments are the handler\'s business');
  await fails(t, b.call('svc', 'huge'), { status: UbusStatus.UNKNOWN_ERROR }, 'a reply over 1 MiB becomes status 9');
  t.ok(lines.some((l) => /cannot send a ubus reply: .*exceeds/.test(l.message)), 'with a log line');
  t.same(await b.call('svc', 'later'), { late: 1 }, 'the connection is still fine');
});

t.test('call timeout is driven by the injected clock', async (t) => {
  const broker = await TestBroker.start();
  const clock = new FakeClock();
  const a = await UbusClient.connect({ socketPath: broker.socketPath });
  const b = await UbusClient.connect({ socketPath: broker.socketPath, clock });
  t.teardown(async () => { a.close(); b.close(); await broker.close(); });
  let release: (() => void) | undefined;
  await a.addObject('slow', { wait: { handler: () => new Promise<Table>((r) => { release = () => r({ done: true }); }) } });
  const p = b.call('slow', 'wait', {}, { timeoutMs: 5000 });
  await until(() => release !== undefined, 'the handler to run');
  await clock.advance(4999);
  let settled = false;
  void p.then(() => { settled = true; }, () => { settled = true; });
  await settle();
  t.notOk(settled, 'still waiting at 4999 ms');
  await clock.advance(1);
  await fails(t, p, { status: UbusStatus.TIMEOUT, statusName: 'TIMEOUT' });
  release!();
  await settle();
  t.same(await a.lookup('slow').then((r) => r.length), 1, 'the late reply did no harm');
});

t.test('ping', async (t) => {
  const { clients: [a] } = await setup(t, 1);
  await a!.ping();
  t.pass('ping answered');
});

t.test('events: patterns, one copy per listener, no loop-back, ubus.* reserved', async (t) => {
  const { clients: [a, b, c] } = await setup(t, 3);
  const gotA: string[] = [];
  const gotC: [string, Table][] = [];
  await a!.listen(['net.*', 'net.iface', '*'], (type) => gotA.push(type));
  const lc = await c!.listen('net.iface', (type, data) => gotC.push([type, data]));
  await b!.send('net.iface', { up: true, n: 2 });
  await b!.send('other', {});
  await a!.send('net.iface', { self: 1 });
  await until(() => gotA.length >= 2 && gotC.length >= 1, 'events');
  await b!.ping(); // one more round trip so stray copies would have arrived
  await settle();
  t.same(gotA, ['net.iface', 'other'], 'one copy even though three patterns match; own event not delivered');
  t.same(gotC, [['net.iface', { up: true, n: 2 }], ['net.iface', { self: 1 }]]);
  await lc.remove();
  await b!.send('net.iface', {});
  await b!.ping();
  await settle();
  t.equal(gotC.length, 2, 'removed listener hears nothing');
  await fails(t, b!.send('ubus.object.add', {}), { status: UbusStatus.PERMISSION_DENIED });
});

t.test('subscribe / notify, and objects removed when their client goes away', async (t) => {
  const broker = await TestBroker.start();
  const a = await UbusClient.connect({ socketPath: broker.socketPath });
  const b = await UbusClient.connect({ socketPath: broker.socketPath });
  t.teardown(async () => { b.close(); await broker.close(); });
  const active: boolean[] = [];
  const obj = await a.addObject('network.interface', {}, { onSubscribers: (x) => active.push(x) });
  const notes: [string, Table][] = [];
  const removed: Table[] = [];
  await b.listen('ubus.object.remove', (_t, d) => removed.push(d));
  const sub = await b.subscribe('network.interface', (type, data) => notes.push([type, data]));
  await until(() => active.length === 1, 'ACTIVE 1');
  t.same(active, [true]);
  t.equal(obj.hasSubscribers, true);
  await obj.notify('interface.update', { interface: 'wan', up: true });
  await until(() => notes.length === 1, 'the notification');
  t.same(notes, [['interface.update', { interface: 'wan', up: true }]]);
  await sub.remove();
  await until(() => active.length === 2, 'ACTIVE 0');
  t.same(active, [true, false]);
  await obj.notify('interface.update', { again: 1 });
  await b.ping();
  t.equal(notes.length, 1, 'no notification after unsubscribing');

  // resubscribe, then the object's client disconnects: lookup fails, remove event seen,
  // and the subscription follows the object when another client publishes it again
  await b.subscribe('network.interface', (type, data) => notes.push([type, data]));
  const id = obj.id;
  a.close();
  await until(() => removed.length === 1, 'ubus.object.remove');
  t.same(removed, [{ id: id | 0, path: 'network.interface' }], 'event data as ubusd sends it (id as int32)');
  await fails(t, b.lookup('network.interface'), { status: UbusStatus.NOT_FOUND });
  t.equal(broker.clientCount, 1);
  const a2 = await UbusClient.connect({ socketPath: broker.socketPath });
  t.teardown(() => a2.close());
  const active2: boolean[] = [];
  const obj2 = await a2.addObject('network.interface', {}, { onSubscribers: (x) => active2.push(x) });
  await until(() => active2.length === 1, 'the subscription to come back');
  await obj2.notify('interface.down', { interface: 'wan' });
  await until(() => notes.length >= 2, 'a notification from the new object');
  await b.ping();
  t.equal(notes.length, 2, 'exactly one copy');
  t.same(notes[1], ['interface.down', { interface: 'wan' }]);
});

t.test('connect failure names the socket', async (t) => {
  await fails(t, UbusClient.connect({ socketPath: '/nonexistent/ubus.sock' }), { status: UbusStatus.CONNECTION_FAILED, message: /\/nonexistent\/ubus\.sock/ });
});
