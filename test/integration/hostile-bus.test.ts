import t from 'tap';
import { UbusClient } from '../../src/ubus';
import { UbusError } from '../../src/ubus/errors';
import { homeWorld, quiesce, startDaemon } from './world';

/**
 * Every method of the `ddnsd` object called with what a confused or hostile client sends:
 * wrong types, nested tables where strings belong, huge strings, unknown services, odd
 * interface names. Each call gets a status or a reply, never a hang; the daemon logs no
 * crash and still answers `status` afterwards, with its one service intact.
 */

type Args = Record<string, unknown>;

async function outcome(c: UbusClient, method: string, args: Args): Promise<number | 'reply'> {
  try {
    await c.call('ddnsd', method, args, { timeoutMs: 5000 });
    return 'reply';
  } catch (e) {
    if (e instanceof UbusError) return e.status;
    throw e;
  }
}

const HUGE = 'x'.repeat(200_000);
const NESTED = { a: { b: { c: [1, 2, { d: 'e' }] } } };

t.test('the ddnsd object survives hostile arguments', async (t) => {
  const w = await homeWorld(t);
  const { daemon, clock } = await startDaemon(t, w);
  await quiesce(daemon, clock);
  const c = await UbusClient.connect({ socketPath: w.broker.socketPath });
  t.teardown(() => c.close());

  const cases: [string, Args, number | 'reply'][] = [
    ['status', { service: 42 }, 2],
    ['status', { service: NESTED }, 2],
    ['status', { service: ['home'] }, 2],
    ['status', { service: 'nope' }, 4],
    ['status', { service: HUGE }, 4],
    ['status', { service: '__proto__' }, 4],
    ['status', { service: 'home\n\u001b[31mred' }, 4],
    ['status', { ubus_rpc_session: NESTED }, 'reply'],
    ['update', { service: 'constructor' }, 4],
    ['update', { force: 'yes' }, 2],
    ['update', { service: NESTED }, 2],
    ['log', { lines: 'all' }, 2],
    ['log', { lines: -5 }, 'reply'],
    ['log', { lines: 2_147_483_647, after: -1 }, 'reply'],
    ['log', { service: HUGE }, 4],
    ['notify', {}, 2],
    ['notify', { interface: NESTED, action: 'ifup' }, 2],
    ['notify', { interface: 'wan', action: 'reboot' }, 2],
    ['notify', { interface: HUGE, action: 'ifup' }, 2],
    ['notify', { interface: 'x'.repeat(65), action: 'ifup' }, 2],
    ['notify', { interface: 'x'.repeat(64), action: 'ifup', device: 'eth0' }, 'reply'],
    ['notify', { interface: 'wan', action: 'ifup', device: 'd'.repeat(16) }, 2],
    ['notify', { interface: 'wan\nerror: [home] forged line\u001b[2J', action: 'ifupdate', device: '\u0000eth1' }, 'reply'],
    ['notify', { interface: '../../etc/passwd', action: 'ifdown' }, 'reply'],
    ['detect', { family: 5 }, 2],
    ['detect', { family: '4' }, 2],
    ['detect', { source: 'telnet' }, 2],
    ['detect', { source: NESTED }, 2],
    ['detect', { service: 'nope' }, 4],
    ['detect', { source: 'interface', interface: '../etc/passwd' }, 'reply'],
    ['detect', { source: 'network', interface: HUGE }, 2],
    ['detect', { source: 'interface', interface: 'eth0123456789012' }, 2],
    ['test', {}, 2],
    ['test', { service: 'nope' }, 4],
    ['test', { service: 7 }, 2],
    ['reload', { anything: NESTED }, 'reply'],
    ['providers', { x: HUGE }, 'reply'],
  ];
  for (const [method, args, want] of cases) {
    const shown = JSON.stringify(args).slice(0, 80);
    t.equal(await outcome(c, method, args), want, `${method} ${shown}`);
  }
  await quiesce(daemon, clock);

  const st = (await c.call('ddnsd', 'status', {})) as { services: { name: string; state: string }[] };
  t.match(st.services, [{ name: 'home', state: 'ok' }], 'still serving, the service intact');
  const text = w.lines.join('\n');
  t.notMatch(text, /failed: |TypeError|RangeError|at .*\.ts:\d+/, 'no handler crashed');
  t.notMatch(text, /\u001b|\u0000/, 'no control characters reach a log line');
  t.notMatch(text, /\nerror: \[home\] forged/, 'a forged line stays inside its own line');
  w.fake.assertDone(t);
});
