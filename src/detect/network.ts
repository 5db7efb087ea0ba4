import type { Ipv6Selection } from '../config/types';
import { normalizeAddress } from '../net/address';
import { readIfInet6, kernelFacts, type KernelAddress } from './interface';
import { waitSettled, type SettleDeps } from './dad';
import { applySuffix, failed, selectAddress, toDetection, wanWarnings, withFollowUps, type AddressFacts } from './select';
import { errorText } from '../util/error-text';
import type { Detection, DetectContext, Family, Source } from './types';

/**
 * Source `network`: what netifd says about a logical network (`ubus call
 * network.interface.<name> status`). The addresses come from netifd's status; netifd does
 * not say which IPv6 addresses are temporary, so those flags are looked up in the kernel for
 * the network's L3 device (for PPPoE that is `pppoe-wan`, not the Ethernet `device`).
 */

/** The shape of `UbusClient.call`: the reply's data, or undefined when there was none. */
export type UbusCall = (object: string, method: string, args: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

export interface NetworkSourceOptions {
  /** Logical network for IPv4 (`ip_network`, default the service's `interface`). */
  network: string;
  /** Logical network for IPv6 (`ip_network6`, e.g. `wan6`). */
  network6: string;
  allowPrivate: boolean;
  ipv6: Ipv6Selection;
}

export interface NetworkDeps {
  call: UbusCall;
  /** The kernel's IPv6 addresses with flags; default reads /proc/net/if_inet6. */
  kernelAddresses?: () => Promise<KernelAddress[] | undefined>;
  /** Following DAD: the clock and the bound (tests); default the system clock and the device's settings. */
  settle?: Omit<SettleDeps, 'readKernel'>;
}

type Status = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v);

function downText(name: string, s: Status): string {
  const parts = [`network ${name} is down`];
  if (typeof s.proto === 'string') parts.push(`(proto ${s.proto}${s.pending === true ? ', still connecting' : ''})`);
  const codes = Array.isArray(s.errors) ? s.errors.filter(isObject).map((e) => String(e.code)) : [];
  if (codes.length) parts.push(`netifd reports: ${codes.join(', ')}`);
  return parts.join(' ');
}

/** netifd's status of one network, or a sentence saying why there is none. */
async function fetchStatus(call: UbusCall, name: string): Promise<Status | string> {
  const object = `network.interface.${name}`;
  let reply: unknown;
  try {
    reply = await call(object, 'status', {});
  } catch (e) {
    // ubus status 4 (UBUS_STATUS_NOT_FOUND): the object does not exist.
    if ((e as { status?: unknown }).status === 4) return `netifd has no network '${name}' (no ubus object ${object})`;
    return `ubus call ${object} status failed: ${errorText(e)}`;
  }
  if (reply === undefined) return `netifd has no network '${name}' (ubus call ${object} status returned nothing)`;
  if (!isObject(reply)) return `ubus call ${object} status returned ${describe(reply)}, not an object`;
  // netifd sends `up` as a blobmsg bool; a client mapping it to 0/1 is accepted too.
  if (typeof reply.up !== 'boolean' && reply.up !== 0 && reply.up !== 1) return `ubus call ${object} status has no true/false 'up' field`;
  return reply.up ? reply : downText(name, reply);
}

/** netifd omits `preferred`/`valid` for addresses that never expire. */
function lifetime(v: unknown): number | undefined {
  if (v === undefined) return Infinity;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function entryFacts(e: unknown, key: string, origin: string): AddressFacts {
  if (!isObject(e) || typeof e.address !== 'string') {
    return { address: JSON.stringify(e)?.slice(0, 60) ?? String(e), origin, invalid: `malformed ${key} entry` };
  }
  const mask = typeof e.mask === 'number' ? e.mask : undefined;
  return { address: e.address, origin, prefixLength: mask, preferred: lifetime(e.preferred), valid: lifetime(e.valid) };
}

/** One address list of a status; an absent list is empty, anything but a list is an error. */
function entries(s: Status, key: string, name: string): unknown[] | string {
  const v = s[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : `network.interface.${name} status: '${key}' is ${describe(v)}, not a list`;
}

function l3Device(s: Status): string | undefined {
  if (typeof s.l3_device === 'string') return s.l3_device;
  return typeof s.device === 'string' ? s.device : undefined;
}

export function networkSource(opts: NetworkSourceOptions, deps: NetworkDeps): Source {
  const kernel = deps.kernelAddresses ?? (() => readIfInet6());
  const select = (family: Family, facts: AddressFacts[]) => selectAddress(family, facts, { allowPrivate: opts.allowPrivate });

  async function ipv4(): Promise<Detection> {
    const name = opts.network;
    const s = await fetchStatus(deps.call, name);
    if (typeof s === 'string') return failed(4, s);
    const list = entries(s, 'ipv4-address', name);
    if (typeof list === 'string') return failed(4, list);
    const facts = list.map((e) => entryFacts(e, 'ipv4-address', `network:${name}`));
    return toDetection(select(4, facts), wanWarnings(name, 4, facts), `no usable IPv4 address on network ${name}`);
  }

  /** netifd's IPv6 addresses, with the kernel's temporary/deprecated flags where it knows them. */
  async function withKernelFlags(facts: AddressFacts[], device: string | undefined): Promise<AddressFacts[]> {
    const known = (await kernel())?.filter((k) => k.device === device) ?? [];
    return facts.map((f) => {
      const k = known.find((x) => x.address === normalizeAddress(f.address));
      if (!k) return f;
      const flags = kernelFacts(k, f.origin);
      return { ...f, temporary: flags.temporary, deprecated: f.deprecated || flags.deprecated, tentative: flags.tentative, dadFailed: flags.dadFailed };
    });
  }

  async function ipv6Auto(): Promise<Detection> {
    const name = opts.network6;
    const s = await fetchStatus(deps.call, name);
    if (typeof s === 'string') return failed(6, s);
    const list = entries(s, 'ipv6-address', name);
    if (typeof list === 'string') return failed(6, list);
    const device = l3Device(s);
    const facts = await withKernelFlags(list.map((e) => entryFacts(e, 'ipv6-address', `network:${name}`)), device);
    const sel = select(6, facts);
    const d = withFollowUps(toDetection(sel, [], `no usable IPv6 address on network ${name}`), sel, device, `network ${name}`);
    const pd = entries(s, 'ipv6-prefix', name);
    // Only when there is no global address at all: a tentative or failed one is not "none of its own".
    if (!d.address && !sel.tentative.length && !sel.dadFailed.length && Array.isArray(pd) && pd.length) {
      d.error += `. ${name} has a delegated prefix but no global address of its own: set ip6_mode prefix (with ip6_suffix, or ip6_prefix_interface lan) to publish an address from the prefix`;
    }
    return d;
  }

  /** The prefixes a LAN host's address is built from: lan's assignments, or wan6's delegations. */
  async function prefixes(): Promise<AddressFacts[] | string> {
    const lan = opts.ipv6.prefixInterface;
    const name = lan ?? opts.network6;
    const key = lan ? 'ipv6-prefix-assignment' : 'ipv6-prefix';
    const s = await fetchStatus(deps.call, name);
    if (typeof s === 'string') return s;
    const list = entries(s, key, name);
    if (typeof list === 'string') return list;
    if (!list.length) {
      return lan
        ? `network ${lan} has no IPv6 prefix assigned (${key} is empty): check ip6assign on ${lan} and that wan6 received a prefix`
        : `network ${name} has no delegated prefix (${key} is empty): the ISP sent none, or prefix delegation (reqprefix) is off`;
    }
    return list.map((e) => (lan ? assignmentFacts(e, lan) : delegationFacts(e, name)));
  }

  async function ipv6Prefix(): Promise<Detection> {
    const { suffix, prefixInterface } = opts.ipv6;
    if (!suffix && !prefixInterface) {
      return failed(6, 'ip6_mode prefix needs ip6_suffix (the host part to put behind the delegated prefix), or ip6_prefix_interface naming the LAN network whose own address to publish');
    }
    const found = await prefixes();
    if (typeof found === 'string') return failed(6, found);
    // Without a suffix, publish the router's own address in lan's prefix (netifd's local-address).
    const facts = suffix ? applySuffix(found, suffix) : found.map(localAddress);
    if (typeof facts === 'string') return failed(6, facts);
    const sel = select(6, facts);
    return withFollowUps(toDetection(sel, [], `no usable IPv6 address from the prefixes of network ${prefixInterface ?? opts.network6}`), sel, undefined, `network ${prefixInterface ?? opts.network6}`);
  }

  return {
    kind: 'network',
    signalsChanges: true,
    async detect(family: Family, _ctx: DetectContext): Promise<Detection> {
      if (family === 4) return ipv4();
      return opts.ipv6.mode === 'prefix' ? ipv6Prefix() : ipv6Auto();
    },
    settled: (pending, signal) => waitSettled(pending, signal, { ...deps.settle, readKernel: kernel }),
  };
}

/** wan6's `ipv6-prefix` entry: use the part assigned to a LAN (the first), or the whole delegation. */
function delegationFacts(e: unknown, name: string): AddressFacts {
  const f = entryFacts(e, 'ipv6-prefix', `network:${name}`);
  if (f.invalid || !isObject(e)) return f;
  const whole = `delegated prefix ${f.address}/${f.prefixLength ?? '?'}`;
  const assigned = isObject(e.assigned) ? Object.entries(e.assigned).find(([, a]) => isObject(a) && typeof a.address === 'string') : undefined;
  if (!assigned) return { ...f, note: whole };
  const [iface, a] = assigned as [string, Record<string, unknown>];
  return { ...f, address: a.address as string, prefixLength: typeof a.mask === 'number' ? a.mask : undefined, note: `${whole}, assigned to ${iface}` };
}

/** lan's `ipv6-prefix-assignment` entry, keeping `local-address` for localAddress(). */
function assignmentFacts(e: unknown, lan: string): AddressFacts & { local?: string } {
  const f = entryFacts(e, 'ipv6-prefix-assignment', `network:${lan}`);
  if (f.invalid || !isObject(e)) return f;
  const local = isObject(e['local-address']) && typeof e['local-address'].address === 'string' ? e['local-address'].address : undefined;
  return { ...f, note: `prefix assigned to ${lan}`, local };
}

function localAddress(f: AddressFacts & { local?: string }): AddressFacts {
  if (f.invalid) return f;
  const shown = `${f.address}/${f.prefixLength ?? '?'}`;
  if (!f.local) return { ...f, address: shown, invalid: `prefix ${shown} has no local-address (the router's own address in it)` };
  return { ...f, address: f.local, note: `the router's own address in prefix ${shown}` };
}
