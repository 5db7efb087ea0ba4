/**
 * Client-side conformance: fed the recorded ubusd replies, the client sends byte-identical
 * requests (same seq numbers too, since it numbers requests from 1 like libubus).
 */
import t from 'tap';
import { UbusClient, UbusError } from '../../src/ubus';
import { settle } from '../../src/util/clock';
import { loadFixture } from '../support/ubus-fixtures';
import { startReplay } from './replay';

type Table = Record<string, unknown>;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await settle();
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

/** Runs `scenario` against transcript `file`; every recorded client message must match. */
function replayTest(file: string, scenario: (connect: () => Promise<UbusClient>, finished: (c: number) => Promise<void>) => Promise<void>) {
  t.test(file, async (t) => {
    const fx = loadFixture(file);
    const r = await startReplay(fx);
    const clients: UbusClient[] = [];
    try {
      await scenario(async () => {
        const c = await UbusClient.connect({ socketPath: r.socketPath });
        clients.push(c);
        return c;
      }, (c) => r.finished(c));
      for (const c of clients) c.close();
      await settle();
    } finally {
      await r.close();
    }
    const expected = fx.messages.filter((m) => m.dir === 'client->ubusd').length;
    t.same(r.problems, [], 'no unexpected or differing client messages');
    t.equal(r.matched, expected, `all ${expected} recorded client messages sent byte for byte`);
  });
}

replayTest('01-hello-list.txt', async (connect) => {
  const c = await connect();
  const objs = await c.lookup();
  t.same(objs.map((o) => o.path), ['file', 'rc', 'rigexec', 'rigtest', 'session', 'uci'], 'ubus list output');
  t.same(objs.find((o) => o.path === 'rigtest')?.signature, { echo: { msg: 3, id: 5 }, types: {}, fail: { code: 5 }, emit: {} });
});

replayTest('02-list-verbose.txt', async (connect) => {
  const objs = await (await connect()).lookup('rigtest');
  t.equal(objs.length, 1);
  t.equal(objs[0]!.id, 0xb3b3c19c, 'object id as u32');
});

replayTest('03-list-wildcard.txt', async (connect) => {
  const objs = await (await connect()).lookup('rig*');
  t.same(objs.map((o) => o.path), ['rigexec', 'rigtest']);
});

replayTest('04-call-echo.txt', async (connect) => {
  t.same(await (await connect()).call('rigtest', 'echo', { msg: 'hello', id: 7 }), { msg: 'hello', id: 7 });
});

replayTest('05-call-types.txt', async (connect) => {
  t.same(await (await connect()).call('rigtest', 'types'), {
    s: 'hi', b: true, i16: 4660, i32: -2, i64: 72623859790382856n, d: 1.5, arr: [1, 'x'], tbl: { f: false },
  }, 'every blobmsg type mapped as libubox maps it (int64 beyond 2^53 as bigint)');
});

replayTest('06-call-error-status.txt', async (connect) => {
  const err = await (await connect()).call('rigtest', 'fail', { code: 4 }).catch((e: unknown) => e);
  t.type(err, UbusError);
  t.match(err, { status: 4, statusName: 'NOT_FOUND' });
});

replayTest('07-call-no-method.txt', async (connect) => {
  const err = await (await connect()).call('rigtest', 'nosuch').catch((e: unknown) => e);
  t.match(err, { status: 3, statusName: 'METHOD_NOT_FOUND' });
});

replayTest('08-lookup-notfound.txt', async (connect) => {
  const err = await (await connect()).call('nosuchobj', 'x').catch((e: unknown) => e);
  t.match(err, { status: 4, statusName: 'NOT_FOUND', message: /nosuchobj/ });
});

replayTest('09-send-event.txt', async (connect) => {
  await (await connect()).send('rig.test', { a: 1, s: 'x' });
});

replayTest('10-listen-all.txt', async (connect, finished) => {
  const c = await connect();
  const got: [string, Table][] = [];
  await c.listen('*', (type, data) => got.push([type, data]));
  await finished(1);
  await until(() => got.length === 3, 'three events');
  t.same(got, [['rig.test', { a: 1 }], ['other.evt', { b: true }], ['rig.event', { n: 13 }]]);
});

replayTest('11-listen-pattern.txt', async (connect, finished) => {
  const c = await connect();
  const got: string[] = [];
  await c.listen(['rig.*', 'other.evt'], (type) => got.push(type));
  await finished(1);
  await until(() => got.length === 3, 'three events');
  t.same(got, ['rig.test', 'other.evt', 'rig.event']);
});

replayTest('13-subscribe-notify.txt', async (connect, finished) => {
  const c = await connect();
  const got: [string, Table][] = [];
  await c.subscribe('rigtest', (type, data) => got.push([type, data]));
  await finished(1);
  await until(() => got.length === 1, 'the notification');
  t.same(got, [['rig.notify', { n: 15 }]], 'notification delivered, no reply sent (NO_REPLY)');
});

replayTest('15-rpcd-session-uci.txt', async (connect) => {
  const login = await (await connect()).call('session', 'login', { username: 'rig', password: 'rigpass' });
  t.match(login, { ubus_rpc_session: /^[0-9a-f]{32}$/, timeout: 300 });
  const uci = await (await connect()).call('uci', 'get', { config: 'ddns', section: 'global' });
  t.ok(uci && typeof uci.values === 'object', 'uci get values');
  const bad = await (await connect()).call('session', 'login', { username: 'rig', password: 'bad' }).catch((e: unknown) => e);
  t.match(bad, { status: 6, statusName: 'PERMISSION_DENIED' });
  t.ok(await (await connect()).call('rigexec', 'hello', { name: 'wire' }), 'exec plugin reply');
});

replayTest('16-wait-for.txt', async (connect) => {
  const c = await connect();
  await c.listen('ubus.object.add', () => {});
  t.ok((await c.lookup()).length > 0);
});
