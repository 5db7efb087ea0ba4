import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';

/**
 * The local addresses outgoing connections leave from, set for a piece of work and every
 * request it makes (HTTP, DNS over UDP and TCP), without passing them through each caller:
 * `sendingFrom({4: '192.0.2.10'}, () => work())`. With policy routing (mwan3), the source
 * address picks the uplink, so the far side sees the address it should.
 */

export interface LocalAddresses {
  4?: string;
  6?: string;
  /** What was asked for, for messages (`the address of network wanb`). */
  label?: string;
  /** Set when no address could be found: every connection fails with this sentence instead of leaving unbound. */
  missing?: string;
}

const ambient = new AsyncLocalStorage<LocalAddresses>();

/** Run `fn` with connections bound to `addrs` (undefined: unbound, as usual). */
export function sendingFrom<T>(addrs: LocalAddresses | undefined, fn: () => T): T {
  return addrs ? ambient.run(addrs, fn) : fn();
}

/** The binding in force for the current piece of work, if any. */
export function currentBinding(): LocalAddresses | undefined {
  return ambient.getStore();
}

export class BindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BindError';
  }
}

/**
 * The local address (and so the family) for a connection to `host` under `binding`: an
 * address literal needs its own family; a name takes `family` when given, else IPv4 when the
 * binding has one. Throws BindError when the binding has no address of the family needed.
 */
export function localFor(binding: LocalAddresses | undefined, host: string, family?: 4 | 6): { localAddress: string; family: 4 | 6 } | undefined {
  if (!binding) return undefined;
  const literal = isIP(host);
  const want = (literal === 4 || literal === 6 ? literal : family) ?? (binding[4] ? 4 : binding[6] ? 6 : undefined);
  const what = binding.label ? ` (${binding.label})` : '';
  if (binding.missing) throw new BindError(`cannot send from the bound address${what}: ${binding.missing}`);
  const address = want ? binding[want] : undefined;
  if (!want || !address) throw new BindError(`cannot reach ${host}: no IPv${want ?? 4} address to send from${what}`);
  return { localAddress: address, family: want };
}

/** Node's error for a bind to an address that left the machine, as a sentence. */
export function bindFailure(err: NodeJS.ErrnoException, local: string): string | undefined {
  if (err.code === 'EADDRNOTAVAIL') return `cannot send from ${local}: the address is not on this router any more (EADDRNOTAVAIL)`;
  if (err.code === 'EINVAL' && err.syscall === 'bind') return `cannot send from ${local} (EINVAL)`;
  return undefined;
}
