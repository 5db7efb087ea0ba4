import { recordTypes, type ServiceConfig } from '../config/types';
import type { RecordRef } from '../providers/types';
import { recordKey, type RecordState, type ServiceState } from './state';

/** The records a service keeps: every domain × every record type of its ip_version. */
export function serviceRecords(service: ServiceConfig): RecordRef[] {
  const types = recordTypes(service.ipVersion);
  return service.domains.flatMap((name) => types.map((type) => ({ name, type })));
}

/**
 * Bring a service's state in line with its configuration: keep what is known about records
 * that still exist, add new ones as pending, drop the rest. A changed fingerprint lifts
 * blocks (the user changed something) and forgets the failure streak.
 */
export function reconcileState(service: ServiceConfig, old: ServiceState | undefined): ServiceState {
  const known = new Map((old?.records ?? []).map((r) => [recordKey(r), r]));
  const changed = old !== undefined && old.fingerprint !== service.fingerprint;
  const records = serviceRecords(service).map((ref): RecordState => {
    const prev = known.get(recordKey(ref));
    if (!prev) return { ...ref, state: service.enabled ? 'pending' : 'disabled', verified: false };
    const r = { ...prev };
    if (changed) delete r.blockedFingerprint;
    if (!service.enabled) r.state = 'disabled';
    else if (r.state === 'disabled' || (changed && r.state === 'blocked')) r.state = 'pending';
    return r;
  });
  return {
    fingerprint: service.fingerprint,
    records,
    failures: changed ? 0 : old?.failures ?? 0,
    notBefore: changed ? undefined : old?.notBefore,
    lastDelayMs: changed ? undefined : old?.lastDelayMs,
    cache: { ...(old?.cache ?? {}) },
  };
}

/** A record is blocked while the configuration that earned the block is unchanged. */
export function isBlocked(r: RecordState, fingerprint: string): boolean {
  return r.blockedFingerprint !== undefined && r.blockedFingerprint === fingerprint;
}
