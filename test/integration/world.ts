import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config/schema';
import type { ServiceConfig } from '../../src/config/types';
import { networkSource } from '../../src/detect/network';
import type { EngineBus } from '../../src/engine/bus';
import { Daemon, type DaemonOptions } from '../../src/engine/daemon';
import type { Verifier } from '../../src/engine/verify';
import { PROVIDERS } from '../../src/providers/registry';
import { UbusClient } from '../../src/ubus';
import { FakeClock, type Clock } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { FakeHttp, type ExpectedRequest } from '../support/fake-http';
import { TestBroker } from '../support/ubus-broker';

export const USER = 'alice';
export const PASSWORD = 'S3cret-Pa55word!';

interface TapLike {
  teardown(fn: () => unknown): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  strictSame(found: any, wanted: any, ...rest: any[]): unknown;
}

/** netifd as the daemon sees it: `network.interface` (the notifier) and `network.interface.<name>` with `status`. */
export class FakeNetifd {
  readonly status = new Map<string, Record<string, unknown>>();
  statusCalls = 0;
  #notifier: Awaited<ReturnType<UbusClient['addObject']>> | undefined;
  #objects: { remove(): Promise<void> }[] = [];

  private constructor(readonly client: UbusClient) {}

  static async start(socketPath: string, names = ['wan']): Promise<FakeNetifd> {
    const n = new FakeNetifd(await UbusClient.connect({ socketPath }));
    await n.publish(names);
    return n;
  }

  async publish(names: string[]): Promise<void> {
    this.#notifier = await this.client.addObject('network.interface', {
      dump: { handler: () => ({ interface: [...this.status].map(([k, v]) => ({ interface: k, ...v })) }) },
    });
    this.#objects.push(this.#notifier);
    for (const name of names) {
      this.#objects.push(
        await this.client.addObject(`network.interface.${name}`, {
          status: {
            handler: () => {
              this.statusCalls++;
              return this.status.get(name) ?? { up: false, pending: false, available: true, proto: 'dhcp' };
            },
          },
        }),
      );
    }
  }

  /** netifd going away (restart): its objects disappear. */
  async unpublish(): Promise<void> {
    for (const o of this.#objects.splice(0)) await o.remove();
    this.#notifier = undefined;
  }

  setAddress(name: string, v4: string, v6: string[] = [], device = name === 'wan' ? 'eth1' : `eth-${name}`): void {
    this.status.set(name, {
      up: true, pending: false, available: true, autostart: true, dynamic: false, proto: 'dhcp',
      l3_device: device, device, uptime: 10, updated: ['addresses'],
      'ipv4-address': [{ address: v4, mask: 24 }],
      'ipv6-address': v6.map((a) => ({ address: a, mask: 64, preferred: 3600, valid: 7200 })),
      'ipv6-prefix': [], 'ipv6-prefix-assignment': [],
    });
  }

  /** netifd's status of a network that went down (ifdown): no addresses, up false. */
  setDown(name: string): void {
    this.status.set(name, { up: false, pending: false, available: true, autostart: true, dynamic: false, proto: 'dhcp', 'ipv4-address': [], 'ipv6-address': [] });
  }

  /** What netifd sends to subscribers of network.interface on ifup / ifupdate (`interface.update`) and ifdown (`interface.down`). */
  async announce(name: string, type = 'interface.update'): Promise<void> {
    await this.#notifier!.notify(type, { interface: name, ...(this.status.get(name) ?? {}) });
  }

  close(): void {
    this.client.close();
  }
}

/** A dyndns2 update as the generic provider sends it, answered `answer`. */
export function dyndnsStep(host: string, myip: string, answer: string, status = 200): ExpectedRequest {
  return {
    method: 'GET',
    path: '/nic/update',
    query: { hostname: host, myip },
    auth: { user: USER, password: PASSWORD },
    headers: { 'user-agent': /^ddnsd\/\d+\.\d+\.\d+/ },
    reply: { status, body: answer },
  };
}

export function serviceSection(name: string, endpoint: string, extra: Record<string, string> = {}, domains = [`${name}.example.com`]): string {
  const opts: Record<string, string> = {
    enabled: '1', provider: 'dyndns2', endpoint: `${endpoint}/nic/update`, username: USER, password: PASSWORD,
    interface: 'wan', ip_source: 'network', verify: '0', ...extra,
  };
  return [
    `config service '${name}'`,
    ...Object.entries(opts).map(([k, v]) => `\toption ${k} '${v}'`),
    ...domains.map((d) => `\tlist domain '${d}'`),
    '',
  ].join('\n');
}

/** A `config notify` section: options, then `list event` entries. */
export function notifySection(name: string, options: Record<string, string>, events: string[] = []): string {
  return [`config notify '${name}'`, ...Object.entries(options).map(([k, v]) => `\toption ${k} '${v}'`), ...events.map((e) => `\tlist event '${e}'`), ''].join('\n');
}

export function configText(sections: string[], logLevel = 'debug'): string {
  return [`config ddnsd 'global'`, `\toption log_level '${logLevel}'`, '', ...sections].join('\n');
}

export interface World {
  dir: string;
  configPath: string;
  stateDir: string;
  broker: TestBroker;
  netifd: FakeNetifd;
  fake: FakeHttp;
  lines: string[];
  writeConfig(text: string): void;
}

/** The common start: a world whose config holds service 'home', and the fake expecting its first update (wan's 203.0.113.7). */
export async function homeWorld(t: TapLike): Promise<World> {
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('home', w.fake.url)]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'good 203.0.113.7'));
  return w;
}

/** Broker, netifd, fake dyndns2 server and a temp dir; everything closed at teardown. */
export async function makeWorld(t: TapLike, opts: { netifd?: boolean; networks?: string[] } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-it-'));
  // The socket in our own dir, so a test can restart the broker at the same path.
  const broker = await TestBroker.start({ socketPath: join(dir, 'ubus.sock') });
  const fake = await FakeHttp.start(t);
  const netifd = opts.netifd === false ? undefined : await FakeNetifd.start(broker.socketPath, opts.networks);
  netifd?.setAddress('wan', '203.0.113.7');
  const w: World = {
    dir,
    configPath: join(dir, 'ddnsd'),
    stateDir: join(dir, 'state'),
    broker,
    netifd: netifd!,
    fake,
    lines: [],
    writeConfig: (text) => writeFileSync(join(dir, 'ddnsd'), text),
  };
  t.teardown(async () => {
    netifd?.close();
    await broker.close();
  });
  return w;
}

/** The daemon in this process: real broker, client, config loader, providers and network source; a fake clock. */
export async function startDaemon(
  t: TapLike, w: World, over: { clock?: Clock; verifier?: Verifier; hooksDir?: string; hookTimeoutMs?: number } = {},
): Promise<{ daemon: Daemon; clock: FakeClock }> {
  const clock = (over.clock as FakeClock | undefined) ?? new FakeClock(Date.now());
  const sink = new LogSink({ level: 'debug', write: (l) => w.lines.push(l), now: () => clock.now() });
  const opts: DaemonOptions = {
    configPath: w.configPath,
    stateDir: w.stateDir,
    clock,
    sink,
    providers: PROVIDERS,
    readConfig: (p) => readFile(p, 'utf8'),
    loadConfig,
    connectBus: async () => (await UbusClient.connect({ socketPath: w.broker.socketPath, reconnect: true, clock })) as EngineBus,
    sourceFactory: (s: ServiceConfig, bus: EngineBus) =>
      networkSource(
        { network: s.ipNetwork ?? s.interface, network6: s.ipNetwork6 ?? s.interface6 ?? s.interface, allowPrivate: s.allowPrivate, ipv6: s.ipv6 },
        { call: (o, m, a) => bus.call(o, m, a), kernelAddresses: async () => [] },
      ),
    verifierFactory: () => over.verifier,
    random: () => 0,
    // No test runs the machine's own /etc/hotplug.d/ddnsd.
    hooksDir: over.hooksDir ?? join(w.dir, 'no-hooks'),
    hookTimeoutMs: over.hookTimeoutMs,
    hostname: 'router1',
  };
  const daemon = await Daemon.start(opts);
  t.teardown(() => daemon.stop());
  return { daemon, clock };
}

/** Let bus messages, HTTP requests and checks run to the end. */
export async function quiesce(daemon: Daemon, clock: FakeClock, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await clock.advance(0);
    await daemon.idle();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Wait (polling, real I/O) until `cond` holds; a safety limit turns a hang into a clear failure. */
export async function until(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
