import { readFile } from 'node:fs/promises';
import { normalizeAddress } from '../net/address';
import { systemClock, type Clock } from '../util/clock';
import { kernelFacts, readIfInet6, type KernelAddress } from './interface';
import type { PendingAddresses } from './types';

/**
 * Following IPv6 duplicate address detection to its end. netifd announces an interface
 * while the kernel still runs DAD on its new address (tentative, not usable), and nothing
 * announces the end: rtnetlink would, but Node has no netlink sockets without native code.
 * So while (and only while) an address is tentative, /proc/net/if_inet6 is read every
 * POLL_MS (a read costs tens of microseconds; 100 reads a second, for the second or two DAD lasts), for at most the DAD time the device's own
 * settings allow. The address is then published at most POLL_MS after the kernel clears it.
 */

export const POLL_MS = 10;

/** Kernel defaults (include/net/addrconf.h, Documentation/networking/ip-sysctl.rst). */
const DEFAULTS = { dadTransmits: 1, retransMs: 1000, solicitDelayS: 1 };

async function readNumber(path: string, read: (p: string) => Promise<string>): Promise<number | undefined> {
  try {
    const n = Number((await read(path)).trim());
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long DAD may take on `device`: the kernel starts it after a random delay of up to
 * router_solicitation_delay seconds, then sends dad_transmits probes retrans_time_ms apart
 * and waits one more interval. Doubled, plus a second, for a loaded router; at most a minute.
 */
export async function dadBoundMs(device: string, read: (p: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<number> {
  const conf = `/proc/sys/net/ipv6/conf/${device}`;
  const [transmits, retrans, delay] = await Promise.all([
    readNumber(`${conf}/dad_transmits`, read),
    readNumber(`/proc/sys/net/ipv6/neigh/${device}/retrans_time_ms`, read),
    readNumber(`${conf}/router_solicitation_delay`, read),
  ]);
  const dad = (delay ?? DEFAULTS.solicitDelayS) * 1000 + Math.max(1, transmits ?? DEFAULTS.dadTransmits) * (retrans ?? DEFAULTS.retransMs);
  return Math.min(60_000, 2 * dad + 1000);
}

export interface SettleDeps {
  clock?: Clock;
  readKernel?: () => Promise<KernelAddress[] | undefined>;
  boundMs?: (device: string) => Promise<number>;
  pollMs?: number;
}

/** True when none of the pending addresses is still tentative on its device (usable, failed or gone). */
export function isSettled(pending: PendingAddresses, kernel: KernelAddress[] | undefined): boolean {
  if (!kernel) return true; // the file went away: nothing more to learn from it
  return pending.addresses.every((a) => {
    const k = kernel.find((x) => x.device === pending.device && x.address === normalizeAddress(a));
    if (!k) return true;
    const f = kernelFacts(k, '');
    return f.dadFailed === true || f.tentative !== true;
  });
}

/** Poll until the pending addresses settle, the bound passes, or `signal` aborts. */
export async function waitSettled(pending: PendingAddresses, signal: AbortSignal, deps: SettleDeps = {}): Promise<'settled' | 'timeout' | 'aborted'> {
  const clock = deps.clock ?? systemClock;
  const read = deps.readKernel ?? (() => readIfInet6());
  const pollMs = deps.pollMs ?? POLL_MS;
  const end = clock.now() + (await (deps.boundMs ?? dadBoundMs)(pending.device));
  for (;;) {
    if (signal.aborted) return 'aborted';
    if (isSettled(pending, await read())) return 'settled';
    if (clock.now() >= end) return 'timeout';
    await new Promise<void>((resolve) => {
      const t = clock.after(Math.min(pollMs, Math.max(0, end - clock.now())), () => {
        signal.removeEventListener('abort', stop);
        resolve();
      });
      const stop = () => {
        t.cancel();
        resolve();
      };
      signal.addEventListener('abort', stop, { once: true });
    });
  }
}
