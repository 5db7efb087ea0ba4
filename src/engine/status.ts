import type { ServiceConfig } from '../config/types';
import type { Detection, Family } from '../detect/types';
import type { RecordState, StateName, ServiceState } from './state';
import { interfacesOf, type WanStatus } from './wan';
import type { NotifyStatus } from './notify';

/**
 * The `status` reply of the `ddnsd` ubus object (DESIGN.md contract). Every field is always
 * present so LuCI and the CLI can rely on the shape: times are Unix seconds with 0 meaning
 * "never / not scheduled", unknown text is ''.
 */
export interface StatusReply {
  version: string;
  /** Seconds since the daemon started. */
  uptime: number;
  /** Problems with the configuration file as a whole (unreadable, parse error). */
  errors: string[];
  /** The notify sections (engine/notify.ts), rejected ones with their `error`. */
  notify: NotifyStatus[];
  services: ServiceStatus[];
}

export interface ServiceStatus {
  name: string;
  enabled: boolean;
  provider: string;
  interface: string;
  /** Every WAN the service follows, in priority order (one for most services). */
  interfaces: string[];
  /** The WAN the last check went through ('' before the first check of a service with several WANs). */
  active_interface: string;
  /** Why that WAN is the active one (several WANs), else ''. */
  active_reason: string;
  /** Several WANs: each one as the last check saw it; else empty. */
  wans: { name: string; active: boolean; usable: boolean; reason: string; mwan3: string }[];
  source: string;
  /** The worst state of its records (`error` for a service whose configuration was rejected). */
  state: StateName;
  detected: { ipv4: string; ipv6: string };
  warnings: string[];
  /** Why the service does not run (rejected configuration, unknown provider), else ''. */
  error: string;
  last_check: number;
  next_check: number;
  records: RecordStatusReply[];
}

export interface RecordStatusReply {
  name: string;
  type: 'A' | 'AAAA';
  registered: string;
  detected: string;
  state: StateName;
  last_check: number;
  last_change: number;
  last_result: string;
  next_check: number;
  verified: boolean;
}

/** What status needs to know of one service; `config` is absent for a rejected one. */
export interface ServiceView {
  name: string;
  config?: ServiceConfig;
  state?: ServiceState;
  detections: Detection[];
  nextCheck?: number;
  /** The rejected configuration's problems, or a start-up failure. */
  error?: string;
  /** The WAN the last check went through. */
  activeInterface?: string;
  /** The WAN choice (several WANs). */
  wan?: WanStatus;
}

const SEVERITY: StateName[] = ['disabled', 'ok', 'pending', 'updating', 'retrying', 'error', 'blocked'];

export function secs(ms: number | undefined): number {
  return ms === undefined ? 0 : Math.floor(ms / 1000);
}

export function serviceStatus(v: ServiceView): ServiceStatus {
  const c = v.config;
  const records = (v.state?.records ?? []).map((r) => recordStatus(r, v.nextCheck));
  const state: StateName = v.error ? 'error' : c && !c.enabled ? 'disabled' : worst(records.map((r) => r.state));
  const addr = (f: Family) => v.detections.find((d) => d.family === f)?.address ?? '';
  return {
    name: v.name,
    enabled: c?.enabled ?? false,
    provider: c?.provider ?? '',
    interface: c?.interface ?? '',
    interfaces: c ? interfacesOf(c) : [],
    active_interface: v.wan ? v.wan.active : c ? v.activeInterface ?? c.interface : '',
    active_reason: v.wan?.reason ?? '',
    wans: v.wan?.wans ?? [],
    source: c?.source ?? '',
    state,
    detected: { ipv4: addr(4), ipv6: addr(6) },
    warnings: [...new Set([...configWarnings(c), ...v.detections.flatMap((d) => d.warnings)])],
    error: v.error ?? '',
    last_check: Math.max(0, ...records.map((r) => r.last_check)),
    next_check: secs(v.nextCheck),
    records,
  };
}

/** What the configuration itself asks status (and so LuCI) to keep in sight. */
export const TLS_INSECURE_WARNING = "INSECURE: tls_insecure is on, so the provider's TLS certificate is not checked; anyone on the path can read this service's credentials";

function configWarnings(c: ServiceConfig | undefined): string[] {
  return c?.tlsInsecure ? [TLS_INSECURE_WARNING] : [];
}

function recordStatus(r: RecordState, nextCheck: number | undefined): RecordStatusReply {
  return {
    name: r.name,
    type: r.type,
    registered: r.registered ?? '',
    detected: r.detected ?? '',
    state: r.state,
    last_check: secs(r.lastCheck),
    last_change: secs(r.lastChange),
    last_result: r.lastResult ?? '',
    next_check: r.state === 'blocked' || r.state === 'disabled' ? 0 : secs(nextCheck),
    verified: r.verified,
  };
}

function worst(states: StateName[]): StateName {
  if (states.length === 0) return 'pending';
  return states.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a));
}
