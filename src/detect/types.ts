import type { Logger } from '../util/log';

import type { Family } from '../net/address';

/** IPv4 or IPv6: the one family type, defined beside the address rules in net/. */
export type { Family };

/** One address a source saw, and whether the selection rules kept it. */
export interface Candidate {
  address: string;
  /** Where it came from: `network:wan`, `interface:eth1`, `web:https://…`, `dns:opendns`, `script`. */
  origin: string;
  kept: boolean;
  /** Why it was kept or dropped (`temporary`, `ULA`, `private (RFC 1918)`, `longest preferred lifetime`, …). */
  reason: string;
}

export interface Detection {
  family: Family;
  /** The chosen address, absent when none qualified. */
  address?: string;
  candidates: Candidate[];
  /** For the user: CGNAT, private WAN address, … (sentences they can act on). */
  warnings: string[];
  /** Why nothing was found (source unreachable, no address, timeout). */
  error?: string;
  /**
   * IPv6 addresses the kernel still holds tentative (duplicate address detection running):
   * not usable yet, usable in about a second. Nobody announces the end of DAD (netifd sent
   * its event already), so the engine follows them with Source.settled.
   */
  pending?: PendingAddresses;
  /**
   * Milliseconds until the chosen address's preferred lifetime ends (it turns deprecated and
   * another address may win) while the interface stays up: nobody announces that either.
   */
  preferredForMs?: number;
}

export interface PendingAddresses {
  device: string;
  addresses: string[];
}

export interface DetectContext {
  log: Logger;
  signal?: AbortSignal;
}

/** A way to learn the current address of one family. */
export interface Source {
  readonly kind: 'network' | 'interface' | 'web' | 'dns' | 'script';
  /** True when a change of address is announced by an event (netifd); false means poll. */
  readonly signalsChanges: boolean;
  detect(family: Family, ctx: DetectContext): Promise<Detection>;
  /**
   * Resolves when the pending addresses have settled (usable, DAD failed, or gone):
   * `settled`, or `timeout` when DAD outlasted its bound. Sources that read the kernel have it.
   */
  settled?(pending: PendingAddresses, signal: AbortSignal): Promise<'settled' | 'timeout' | 'aborted'>;
}
