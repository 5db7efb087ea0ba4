import { readFile } from 'node:fs/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { Ipv6Selection } from '../config/types';
import { formatAddress } from '../net/address';
import { waitSettled, type SettleDeps } from './dad';
import { applySuffix, failed, selectAddress, toDetection, wanWarnings, withFollowUps, type AddressFacts } from './select';
import type { Detection, DetectContext, Family, Source } from './types';

/**
 * Source `interface`: the addresses of one Linux device (`ip_interface`).
 *
 * os.networkInterfaces() lists addresses but says nothing about IPv6 lifetimes or the
 * temporary/deprecated/tentative flags. /proc/net/if_inet6 carries the kernel's flags (the
 * low 8 bits: temporary, deprecated, tentative, DAD failed, permanent) and prefix lengths, but
 * no lifetimes either: those need rtnetlink, which Node cannot speak without native code.
 * So this source can prefer stable over temporary and deprecated, but cannot rank by
 * preferred lifetime; the `network` source (netifd) can.
 */

export const IF_INET6 = '/proc/net/if_inet6';

// include/uapi/linux/if_addr.h; if_inet6 prints `(u8) ifp->flags`.
const IFA_F_TEMPORARY = 0x01;
const IFA_F_OPTIMISTIC = 0x04;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_PERMANENT = 0x80;

export interface KernelAddress {
  address: string;
  prefixLength: number;
  flags: number;
  device: string;
}

/** Parse /proc/net/if_inet6; lines that do not fit are skipped. */
export function parseIfInet6(text: string): KernelAddress[] {
  const out: KernelAddress[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 6 || !/^[0-9a-f]{32}$/i.test(f[0])) continue;
    const bytes = Array.from({ length: 16 }, (_, i) => parseInt(f[0].slice(2 * i, 2 * i + 2), 16));
    const prefixLength = parseInt(f[2], 16);
    const flags = parseInt(f[4], 16);
    if (Number.isNaN(prefixLength) || Number.isNaN(flags)) continue;
    out.push({ address: formatAddress({ family: 6, bytes }), prefixLength, flags, device: f[5] });
  }
  return out;
}

/** The kernel's addresses, or undefined when the file cannot be read (not Linux, no IPv6). */
export async function readIfInet6(path = IF_INET6): Promise<KernelAddress[] | undefined> {
  try {
    return parseIfInet6(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** What the kernel's flags say about an address, as selection facts. */
export function kernelFacts(k: KernelAddress, origin: string): AddressFacts {
  const f = k.flags;
  return {
    address: k.address,
    origin,
    prefixLength: k.prefixLength,
    temporary: (f & IFA_F_TEMPORARY) !== 0,
    deprecated: (f & IFA_F_DEPRECATED) !== 0,
    // Optimistic DAD (RFC 4429) lets the address be used while DAD runs.
    tentative: (f & IFA_F_TENTATIVE) !== 0 && (f & IFA_F_OPTIMISTIC) === 0,
    dadFailed: (f & IFA_F_DADFAILED) !== 0,
    note: (f & IFA_F_PERMANENT) !== 0 ? 'configured statically' : undefined,
  };
}

export interface InterfaceSourceOptions {
  device: string;
  allowPrivate: boolean;
  ipv6: Ipv6Selection;
}

export interface InterfaceDeps {
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Default /proc/net/if_inet6. */
  ifInet6Path?: string;
  /** Following DAD: the clock and the bound (tests). */
  settle?: Omit<SettleDeps, 'readKernel'>;
}

function isFamily(info: NetworkInterfaceInfo, family: Family): boolean {
  // Node 18.0–18.3 reported the family as a number.
  const f = info.family as string | number;
  return f === `IPv${family}` || f === family;
}

function prefixOf(info: NetworkInterfaceInfo): number | undefined {
  const len = info.cidr ? Number(info.cidr.split('/')[1]) : NaN;
  return Number.isInteger(len) ? len : undefined;
}

export function interfaceSource(opts: InterfaceSourceOptions, deps: InterfaceDeps = {}): Source {
  const list = deps.networkInterfaces ?? networkInterfaces;
  const origin = `interface:${opts.device}`;

  const osFacts = (family: Family, note?: string): AddressFacts[] | undefined =>
    list()[opts.device]?.filter((i) => isFamily(i, family))
      .map((i) => ({ address: i.address, origin, prefixLength: prefixOf(i), note }));

  async function ipv6Facts(): Promise<AddressFacts[] | undefined> {
    const kernel = (await readIfInet6(deps.ifInet6Path))?.filter((k) => k.device === opts.device);
    if (kernel?.length) return kernel.map((k) => kernelFacts(k, origin));
    return osFacts(6, 'kernel flags unknown (/proc/net/if_inet6 not readable): temporary and deprecated addresses cannot be told apart');
  }

  return {
    kind: 'interface',
    signalsChanges: false,
    async detect(family: Family, _ctx: DetectContext): Promise<Detection> {
      const seen = family === 4 ? osFacts(4) : await ipv6Facts();
      if (!seen) {
        const have = Object.keys(list()).join(', ') || 'none';
        return failed(family, `no network device '${opts.device}' on this system (devices: ${have})`);
      }
      let facts = seen;
      if (family === 6 && opts.ipv6.mode === 'prefix') {
        if (!opts.ipv6.suffix) return failed(family, `ip6_mode prefix needs ip6_suffix: the host part to put behind the prefix of ${opts.device}`);
        const derived = applySuffix(seen, opts.ipv6.suffix);
        if (typeof derived === 'string') return failed(family, derived);
        facts = derived;
      }
      const sel = selectAddress(family, facts, { allowPrivate: opts.allowPrivate });
      const d = toDetection(sel, wanWarnings(`device ${opts.device}`, family, seen), `no usable IPv${family} address on device ${opts.device}`);
      return withFollowUps(d, sel, opts.device, `device ${opts.device}`);
    },
    settled: (pending, signal) => waitSettled(pending, signal, { ...deps.settle, readKernel: () => readIfInet6(deps.ifInet6Path) }),
  };
}
