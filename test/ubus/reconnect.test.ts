/**
 * Reconnection: when the broker goes away, pending calls fail with CONNECTION_FAILED; the
 * client retries with doubling delays on the injected clock, and once the broker is back it
 * re-adds its objects, listeners and subscriptions by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { UbusClient, UbusStatus } from '../../src/ubus';
import { FakeClock, settle } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { TestBroker } from '../support/ubus-broker';

type Table = Record<string, unknown>;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000 && !cond(); i++) await settle();
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

t.test('reconnect with backoff restores objects, listeners and subscriptions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ubus-reconnect-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ubus.sock');
  let broker = await TestBroker.start({ socketPath: path });
  const clock = new FakeClock();
  const sink = new LogSink({ write: () => {} });
  const lines: string[] = [];
  sink.onEntry((e) => lines.push(`${e.level}: ${e.message}`));
  const opts = { socketPath: path, reconnect: true, clock, log: sink.logger('ubus'), backoff: { initialMs: 1000, maxMs: 8000 } };
  const daemon = await UbusClient.connect(opts);
  const netifd = await UbusClient.connect(opts);
  t.teardown(async () => { daemon.close(); netifd.close(); await broker.close(); });

  const events: string[] = [];
  const notes: string[] = [];
  let stuckRelease: (() => void) | undefined;
  await daemon.addObject('ddnsd', {
    status: { handler: () => ({ ok: true }) },
    stuck: { handler: () => new Promise<Table>((r) => { stuckRelease = () => r({}); }) },
  });
  await daemon.listen('network.interface*', (type) => events.push(type));
  const iface = await netifd.addObject('network.interface', {});
  await daemon.subscribe('network.interface', (type) => notes.push(type));
  const oldIds = { daemon: daemon.clientId };
  let disconnected = 0;
  let connected = 0;
  daemon.on('disconnected', () => disconnected++).on('connected', () => connected++);

  // a call in flight when ubusd dies
  const caller = await UbusClient.connect({ socketPath: path });
  const inflight = netifd.call('ddnsd', 'stuck');
  await until(() => stuckRelease !== undefined, 'the stuck handler');
  caller.close();
  await broker.close();
  const err = await inflight.then(() => undefined, (e: unknown) => e);
  t.match(err, { status: UbusStatus.CONNECTION_FAILED, statusName: 'CONNECTION_FAILED' }, 'pending call fails with CONNECTION_FAILED');
  await until(() => disconnected === 1, 'the disconnected event');
  t.equal(daemon.connected, false);
  t.match(await daemon.call('x', 'y').then(() => undefined, (e: unknown) => e), { status: UbusStatus.CONNECTION_FAILED }, 'calls fail at once while disconnected');
  t.ok(lines.some((l) => /lost the ubus connection/.test(l)), 'a log line for the loss');

  // broker still down: attempts at +1 s and +2 s fail, the next one is due 4 s later
  t.equal(clock.nextDue(), clock.now() + 1000, 'first retry after 1 s');
  await clock.advance(1000);
  await until(() => clock.nextDue() === clock.now() + 2000, 'the second retry to be scheduled');
  await clock.advance(2000);
  await until(() => clock.nextDue() === clock.now() + 4000, 'the third retry, 4 s later');
  t.equal(connected, 0);

  broker = await TestBroker.start({ socketPath: path });
  await clock.advance(4000);
  await until(() => connected === 1 && netifd.connected, 'both clients back');
  t.not(daemon.clientId, oldIds.daemon, 'a new client id');

  // the object answers again under a new id
  const other = await UbusClient.connect({ socketPath: path });
  t.teardown(() => other.close());
  t.same(await other.call('ddnsd', 'status'), { ok: true }, 'object re-added');
  // the event listener is back
  await other.send('network.interface.wan', { up: true });
  await until(() => events.includes('network.interface.wan'), 'the event');
  // the subscription is back (netifd may have re-added its object before or after us)
  await until(() => iface.hasSubscribers, 'the daemon to subscribe again');
  await iface.notify('interface.update', { interface: 'wan' });
  await until(() => notes.length === 1, 'the notification');
  t.same(notes, ['interface.update'], 'subscription restored');
  stuckRelease?.(); // the old handler finishing after the reconnect must not break anything
  await settle();
  t.ok(lines.some((l) => /reconnected to ubus/.test(l)), 'a log line for the reconnect');
});
