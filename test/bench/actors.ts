/**
 * The bench's stand-ins, each in its own process (forked from the bench bundle with
 * `--role NAME`), so the daemon under test shares no event loop with what measures it:
 * - broker: the test ubus broker (test/support/ubus-broker.ts, the same wire protocol as ubusd);
 * - netifd: a fake netifd (network.interface objects, two WANs: wan and wanb) that also plays
 *   the hotplug script (`ubus call ddnsd notify`), mwan3 (test/support/mwan3.ts: its ubus
 *   status and mwan3track's hotplug events) and LuCI (`status` calls), and reports
 *   `ubus.object.add` events;
 * - provider: a fake dyndns2 server that checks every request, answers `good <ip>` and
 *   reports the address the request came from.
 * Every time is process.hrtime.bigint() (CLOCK_MONOTONIC, the same clock in every process on
 * the machine), taken where the event happens: just before netifd's notification or the
 * hotplug call is written, and when the provider's request has arrived.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UbusClient } from '../../src/ubus';
import { TestBroker } from '../support/ubus-broker';
import { FakeNetifd, PASSWORD, USER } from '../integration/world';
import { FakeMwan3 } from '../support/mwan3';

export type Role = 'broker' | 'netifd' | 'provider';

interface Request {
  id: number;
  cmd: string;
  args: Record<string, unknown>;
}

type Handler = (args: Record<string, unknown>) => unknown;

function serve(handlers: Record<string, Handler>): void {
  process.on('message', (m: Request) => {
    Promise.resolve()
      .then(() => handlers[m.cmd](m.args))
      .then((result) => process.send!({ id: m.id, result }), (e: Error) => process.send!({ id: m.id, error: e.message }));
  });
  process.on('disconnect', () => process.exit(0));
}

function emit(event: string, data: Record<string, unknown>): void {
  process.send!({ event, data });
}

const now = (): string => process.hrtime.bigint().toString();

async function broker(args: string[]): Promise<void> {
  const b = await TestBroker.start({ socketPath: args[0] });
  serve({ ping: () => ({ clients: b.clientCount }) });
  emit('ready', { socketPath: b.socketPath });
}

async function netifd(args: string[]): Promise<void> {
  const socketPath = args[0];
  const n = await FakeNetifd.start(socketPath, ['wan', 'wanb']);
  n.setAddress('wan', '203.0.113.1');
  n.setAddress('wanb', '203.0.113.2');
  const mwan3 = await FakeMwan3.start(socketPath, ['wan', 'wanb']);
  const bus = await UbusClient.connect({ socketPath });
  await bus.listen('ubus.object.add', (_type, data) => {
    const t = now();
    emit('object', { t, path: String(data.path ?? '') });
  });
  serve({
    // Set the address and send interface.update (ifupdate); t0 just before it is written.
    announce: async (a) => {
      n.setAddress('wan', String(a.address));
      const t0 = now();
      await n.announce('wan');
      return { t0 };
    },
    // The hotplug script's `ubus call ddnsd notify '{"interface":"wan","action":"ifupdate"}'`.
    hotplug: async (a) => {
      n.setAddress('wan', String(a.address));
      const t0 = now();
      await bus.call('ddnsd', 'notify', { interface: 'wan', action: 'ifupdate' });
      return { t0 };
    },
    // WAN addresses without an announcement (before a daemon starts).
    addresses: (a) => {
      for (const [name, address] of Object.entries(a)) n.setAddress(name, String(address));
      return {};
    },
    // wan goes down or comes back, as mwan3track says it (its status, then the hotplug event
    // through 95-ddnsd) or as netifd does (ifdown: interface.down; ifup: interface.update with
    // the address again); t0 just before the event is written.
    wan: async (a) => {
      const up = Boolean(a.up);
      if (a.via === 'mwan3') {
        const t0 = now();
        await mwan3.track('wan', up);
        return { t0 };
      }
      if (up) n.setAddress('wan', String(a.address));
      else n.setDown('wan');
      const t0 = now();
      await n.announce('wan', up ? 'interface.update' : 'interface.down');
      return { t0 };
    },
    // `count` status calls, `inFlight` at a time (LuCI's page polling, many times over).
    status: async (a) => {
      const count = Number(a.count);
      const inFlight = Number(a.inFlight ?? 1);
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          try {
            await bus.call('ddnsd', 'status', {});
          } catch {
            failed++;
          }
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      return { failed };
    },
  });
  emit('ready', {});
}

async function provider(): Promise<void> {
  let count = 0;
  const problems: string[] = [];
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const server = http.createServer((req, res) => {
    const t = now();
    count++;
    const u = new URL(req.url ?? '/', 'http://fake');
    const host = u.searchParams.get('hostname') ?? '';
    const myip = u.searchParams.get('myip') ?? '';
    if (req.method !== 'GET' || u.pathname !== '/nic/update' || req.headers.authorization !== auth || !host || !myip) {
      if (problems.length < 20) problems.push(`${req.method} ${u.pathname} host=${host} myip=${myip} auth=${req.headers.authorization === auth}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('badauth');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`good ${myip}`);
    }
    emit('request', { t, host, myip, from: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '') });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  serve({
    counts: () => ({ count, problems }),
  });
  emit('ready', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

export async function runActor(role: Role, args: string[]): Promise<void> {
  if (role === 'broker') return broker(args);
  if (role === 'netifd') return netifd(args);
  return provider();
}
