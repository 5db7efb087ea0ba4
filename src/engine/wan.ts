import type { ServiceConfig } from '../config/types';
import type { Detection, Family, Source } from '../detect/types';
import type { LocalAddresses } from '../net/bind';
import type { Clock, Timer } from '../util/clock';
import type { Logger } from '../util/log';
import { errorText } from '../util/error-text';

/**
 * Which WAN a service goes through, and the local address its requests leave from.
 *
 * A service may follow several netifd networks in priority order (`list interface 'wan'`,
 * `list interface 'wanb'`). The active WAN is the first that netifd reports up with an address
 * (the network source: an address the selection rules accept) and that mwan3, where it tracks
 * the network, does not report offline. After the active WAN changes, it stays for at least the
 * hold-down time (`holddown`); a change wanted meanwhile happens when the hold-down ends, so a
 * link bouncing ten times a second costs one switch per hold-down.
 *
 * mwan3 (openwrt/packages, net/mwan3): mwan3track writes each interface's state to
 * /var/run/mwan3track/IFACE/STATUS (`online`, `offline`, `connecting`, `disconnecting`,
 * `disabled`) before it runs `hotplug-call iface` with ACTION=connected or disconnected
 * (usr/sbin/mwan3track); `ubus call mwan3 status '{"section":"interfaces"}'` returns
 * `{interfaces: {IFACE: {status, enabled, running, tracking, up, ...}}}` from those files
 * (usr/share/rpcd/ucode/mwan3). Interfaces mwan3 does not manage are not in that reply.
 */

/** netifd's view of one network, as far as choosing a WAN needs it. */
export interface NetifdView {
  up: boolean;
  /** The first address of each family netifd lists. */
  addresses: { 4?: string; 6?: string };
  /** Why it is not up (no such network, ubus failed, down). */
  error?: string;
}

export type UbusCallFn = (object: string, method: string, args: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `ubus call network.interface.NAME status`, reduced to up and the first address of each family. */
export async function readNetifd(call: UbusCallFn, name: string): Promise<NetifdView> {
  let s: Record<string, unknown> | undefined;
  try {
    s = await call(`network.interface.${name}`, 'status', {});
  } catch (err) {
    const notFound = (err as { status?: unknown }).status === 4;
    return { up: false, addresses: {}, error: notFound ? `netifd has no network '${name}'` : `ubus call network.interface.${name} status failed: ${errorText(err)}` };
  }
  if (!isObject(s)) return { up: false, addresses: {}, error: `netifd has no network '${name}'` };
  const first = (key: string) => {
    const list = s[key];
    const e = Array.isArray(list) ? list.find((x) => isObject(x) && typeof x.address === 'string') : undefined;
    return e ? (e as { address: string }).address : undefined;
  };
  const up = s.up === true || s.up === 1;
  const addresses = { 4: first('ipv4-address'), 6: first('ipv6-address') };
  return { up, addresses, ...(up ? {} : { error: 'down' }) };
}

/**
 * What mwan3 says about each interface it tracks: its ubus status when mwan3 is on the bus,
 * else the last hotplug event (connected → online, disconnected → offline).
 */
export class Mwan3Watch {
  readonly #events = new Map<string, string>();

  constructor(private readonly call: UbusCallFn | undefined) {}

  /** A hotplug event forwarded by 95-ddnsd (`connected`, `disconnected`). */
  note(iface: string, action: string): void {
    if (action === 'connected') this.#events.set(iface, 'online');
    else if (action === 'disconnected') this.#events.set(iface, 'offline');
  }

  /** Status per interface mwan3 manages (enabled); empty when mwan3 is not there. */
  async statuses(): Promise<Map<string, string>> {
    const out = new Map(this.#events);
    if (!this.call) return out;
    let reply: Record<string, unknown> | undefined;
    try {
      reply = await this.call('mwan3', 'status', { section: 'interfaces' });
    } catch {
      return out; // no mwan3 object (not installed, rpcd restarting): the events are all we know
    }
    const ifaces = isObject(reply?.interfaces) ? reply.interfaces : {};
    for (const [name, v] of Object.entries(ifaces)) {
      if (!isObject(v) || typeof v.status !== 'string') continue;
      if (v.enabled === false) out.delete(name);
      else out.set(name, v.status);
    }
    return out;
  }
}

/** mwan3's word on an interface: true (online), false (offline), undefined (no verdict: not tracked). */
function mwan3Verdict(status: string | undefined): boolean | undefined {
  if (status === 'online' || status === 'disconnecting') return true; // mwan3 keeps routing through it until offline
  if (status === 'offline' || status === 'connecting') return false; // connecting: was offline, not yet back
  return undefined; // disabled (no tracking), unknown
}

/** One WAN as the last choice saw it. */
export interface WanView {
  name: string;
  usable: boolean;
  /** `up, 203.0.113.7`, `down`, `offline (mwan3)`, `no usable IPv4 address on network wanb` */
  reason: string;
  /** mwan3's status, '' when mwan3 does not track it. */
  mwan3: string;
  addresses: { 4?: string; 6?: string };
  /** Source network: what it detected, per family. */
  detections?: Detection[];
}

/** What a check goes through: the WAN, the source reading its address, the local addresses to send from. */
export interface Route {
  interface: string;
  /** In place of the service's source (source network over the active WAN). */
  source?: Source;
  /** Connections leave from these addresses (bind_wan, bind_network). */
  bind?: LocalAddresses;
}

/** The `status` reply's view of the WAN choice. */
export interface WanStatus {
  active: string;
  reason: string;
  /** Unix ms of the last switch (0: none since start). */
  since: number;
  wans: { name: string; active: boolean; usable: boolean; reason: string; mwan3: string }[];
}

export interface RouterDeps {
  clock: Clock;
  log: Logger;
  netifd(name: string): Promise<NetifdView>;
  mwan3(): Promise<Map<string, string>>;
  /** The source reading one network's address (source network). */
  sourceFor(iface: string): Source;
  /** A hold-down ended and the choice may change: run a check. */
  wake(reason: string): void;
}

export interface Router {
  route(families: Family[], signal?: AbortSignal): Promise<Route>;
  status(): WanStatus | undefined;
  stop(): void;
}

export function interfacesOf(service: ServiceConfig): string[] {
  return service.interfaces && service.interfaces.length > 0 ? service.interfaces : [service.interface];
}

/** A router for a service that needs one (several WANs, bind_wan, bind_network), else undefined. */
export function makeRouter(service: ServiceConfig, deps: RouterDeps): Router | undefined {
  if (interfacesOf(service).length > 1) return new WanFollower(service, deps);
  if (service.bindNetwork) return fixedBind(service.interface, service.bindNetwork, `the address of bind_network ${service.bindNetwork}`, deps);
  if (service.bindWan) return fixedBind(service.interface, service.interface, `the address of network ${service.interface}`, deps);
  return undefined;
}

function fixedBind(iface: string, network: string, label: string, deps: RouterDeps): Router {
  return {
    async route() {
      const v = await deps.netifd(network);
      const missing = v.addresses[4] || v.addresses[6] ? undefined : `network ${network} has no address (${v.error ?? 'none assigned'})`;
      return { interface: iface, bind: { ...v.addresses, label, ...(missing ? { missing } : {}) } };
    },
    status: () => undefined,
    stop: () => undefined,
  };
}

/** Failover and failback between a service's WANs, with hold-down. */
export class WanFollower implements Router {
  readonly #names: string[];
  #active: string | undefined;
  #reason = 'not chosen yet';
  #lastSwitch: number | undefined;
  #views: WanView[] = [];
  #timer: Timer | undefined;
  #stopped = false;

  constructor(readonly service: ServiceConfig, private readonly deps: RouterDeps) {
    this.#names = interfacesOf(service);
  }

  get active(): string | undefined {
    return this.#active;
  }

  async route(families: Family[], signal?: AbortSignal): Promise<Route> {
    this.#views = await this.#probe(families, signal);
    this.#choose();
    const active = this.#active!;
    const view = this.#views.find((v) => v.name === active)!;
    const route: Route = { interface: active };
    if (this.service.source === 'network') route.source = probedSource(view, this.deps.sourceFor(active));
    if (this.service.bindWan) route.bind = bindOf(view);
    else if (this.service.bindNetwork) {
      const b = await this.deps.netifd(this.service.bindNetwork);
      route.bind = { ...b.addresses, label: `the address of bind_network ${this.service.bindNetwork}`, ...(b.addresses[4] || b.addresses[6] ? {} : { missing: `network ${this.service.bindNetwork} has no address` }) };
    }
    return route;
  }

  status(): WanStatus {
    return {
      active: this.#active ?? '',
      reason: this.#reason,
      since: this.#lastSwitch ?? 0,
      wans: this.#views.map((v) => ({ name: v.name, active: v.name === this.#active, usable: v.usable, reason: v.reason, mwan3: v.mwan3 })),
    };
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  async #probe(families: Family[], signal?: AbortSignal): Promise<WanView[]> {
    const mwan3 = await this.deps.mwan3();
    return Promise.all(this.#names.map((name) => this.#probeOne(name, mwan3.get(name) ?? '', families, signal)));
  }

  async #probeOne(name: string, mwan3: string, families: Family[], signal?: AbortSignal): Promise<WanView> {
    const v = await this.deps.netifd(name);
    const base = { name, mwan3, addresses: v.addresses };
    if (!v.up) return { ...base, usable: false, reason: v.error ?? 'down' };
    if (mwan3Verdict(mwan3) === false) return { ...base, usable: false, reason: `${mwan3} (mwan3)` };
    const tracked = mwan3 ? `, ${mwan3} (mwan3)` : '';
    if (this.service.source !== 'network') {
      const any = v.addresses[4] ?? v.addresses[6];
      return any ? { ...base, usable: true, reason: `up, ${any}${tracked}` } : { ...base, usable: false, reason: 'up but without an address' };
    }
    const source = this.deps.sourceFor(name);
    const detections: Detection[] = [];
    for (const family of families) {
      try {
        detections.push(await source.detect(family, { log: this.deps.log, signal }));
      } catch (err) {
        detections.push({ family, candidates: [], warnings: [], error: errorText(err) });
      }
    }
    const found = detections.filter((d) => d.address !== undefined);
    if (found.length === 0) return { ...base, detections, usable: false, reason: detections.map((d) => d.error ?? `no IPv${d.family} address`).join('; ') };
    return { ...base, detections, usable: true, reason: `up, ${found.map((d) => d.address).join(', ')}${tracked}` };
  }

  /** Apply the priority order and the hold-down to the fresh views. */
  #choose(): void {
    const now = this.deps.clock.now();
    const wanted = this.#views.find((v) => v.usable);
    const down = (name: string) => this.#views.find((v) => v.name === name)?.reason ?? '';
    if (this.#active === undefined) {
      this.#active = wanted?.name ?? this.#names[0];
      this.#reason = wanted ? this.#why(wanted.name) : `no WAN is usable (${this.#names.map((n) => `${n}: ${down(n)}`).join('; ')})`;
      this.deps.log.info(`active WAN: ${this.#active} (${this.#reason})`);
      return;
    }
    if (!wanted) {
      this.#cancelTimer();
      this.#reason = `no WAN is usable (${this.#names.map((n) => `${n}: ${down(n)}`).join('; ')}); keeping ${this.#active}`;
      return;
    }
    if (wanted.name === this.#active) {
      this.#cancelTimer();
      this.#reason = this.#why(wanted.name);
      return;
    }
    const holddown = this.service.holddownMs ?? 0;
    const heldUntil = this.#lastSwitch === undefined ? now : this.#lastSwitch + holddown;
    if (now >= heldUntil) {
      const from = this.#active;
      this.#active = wanted.name;
      this.#lastSwitch = now;
      this.#reason = this.#why(wanted.name);
      this.#cancelTimer();
      this.deps.log.info(`active WAN: ${from} → ${wanted.name} (${this.#reason})`);
      return;
    }
    this.#reason = `hold-down: ${wanted.name} is wanted (${this.#why(wanted.name)}), ${this.#active} stays until ${new Date(heldUntil).toISOString()}`;
    this.deps.log.debug(this.#reason);
    if (!this.#timer && !this.#stopped) {
      this.#timer = this.deps.clock.after(heldUntil - now, () => {
        this.#timer = undefined;
        if (!this.#stopped) this.deps.wake('hold-down over');
      });
    }
  }

  /** Why `name` is the one: every better WAN is unusable, and it is usable. */
  #why(name: string): string {
    const better = this.#names.slice(0, this.#names.indexOf(name));
    const view = this.#views.find((v) => v.name === name)!;
    const skipped = better.map((n) => `${n}: ${this.#views.find((v) => v.name === n)?.reason ?? '?'}`);
    return skipped.length ? `${skipped.join('; ')}; ${name}: ${view.reason}` : `first in priority order, ${view.reason}`;
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}

/** The active WAN's addresses for binding: the published address where the source chose one, else netifd's first. */
function bindOf(view: WanView): LocalAddresses {
  const pick = (f: Family) => view.detections?.find((d) => d.family === f)?.address ?? view.addresses[f];
  const out: LocalAddresses = { 4: pick(4), 6: pick(6), label: `the address of WAN ${view.name}` };
  if (!out[4] && !out[6]) out.missing = `WAN ${view.name} has no address (${view.reason})`;
  return out;
}

/** The detections the choice already made, so a check does not ask netifd twice. */
function probedSource(view: WanView, fallback: Source): Source {
  return {
    kind: 'network',
    signalsChanges: true,
    detect: async (family, ctx) => view.detections?.find((d) => d.family === family) ?? fallback.detect(family, ctx),
  };
}
