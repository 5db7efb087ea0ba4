import { errorText } from '../util/error-text';
import type { ServiceConfig } from '../config/types';
import type { Detection, Family, Source } from '../detect/types';
import type { Transport } from '../net/http';
import type { Capabilities, Outcome, ProviderInstance, ReadMemo, RecordUpdate, UpdateResult } from '../providers/types';
import { BLOCKING_OUTCOMES } from '../providers/types';
import type { Clock } from '../util/clock';
import { oneLine, type Logger } from '../util/log';
import { redact, type Secret } from '../util/secret';
import { isBlocked } from './records';
import { recordKey, type RecordState, type ServiceState } from './state';
import type { Verifier, VerifyContext } from './verify';

/**
 * One check of one service: detect → compare with what is registered → update only what
 * differs (or everything when forced) → verify. Mutates the service's state; the
 * scheduler turns the summary into timers.
 */

export interface CheckDeps {
  clock: Clock;
  log: Logger;
  source: Source;
  provider: ProviderInstance;
  capabilities: Capabilities;
  verifier?: Verifier;
  userAgent: string;
  /** Redacted from any text we keep (provider messages, errors). */
  secrets: Secret[];
  signal?: AbortSignal;
  /** How long the first check waits for DNS to say what a record holds; default SEED_BOUND_MS. */
  seedBoundMs?: number;
  /** The service's CAs and TLS checking for provider requests. */
  transport?: Transport;
  /** force_ipversion: a request carrying records of one family travels over that family. */
  forceIpVersion?: boolean;
}

/**
 * The most a first update waits on the lookup of what the record holds. At boot the router's
 * resolver (dnsmasq) is often not up yet, and a black-holed one would hold the update for the
 * lookup's whole 5 s timeout; a resolver that works answers well within this.
 */
export const SEED_BOUND_MS = 1000;

export interface CheckRequest {
  force: boolean;
  /** Why the check runs, for the log (`ifup wan`, `timer: retry`, `manual`). */
  reason: string;
}

export type CheckAction = 'none' | 'updated' | 'retry' | 'deferred' | 'blocked' | 'error';

export interface CheckSummary {
  action: CheckAction;
  /** For `retry`: which kind of failure, and the provider's minimum wait. */
  retryKind?: 'transient' | 'network';
  retryAfterMs?: number;
  /** Provider update calls made. */
  requests: number;
  detections: Detection[];
  /** Records whose registered address an update changed, with the address before ('' when unknown). */
  changed?: { record: RecordState; old: string }[];
}

const FAMILY: Record<'A' | 'AAAA', Family> = { A: 4, AAAA: 6 };

export async function runCheck(service: ServiceConfig, st: ServiceState, deps: CheckDeps, req: CheckRequest): Promise<CheckSummary> {
  // One memo of provider reads per check: the start-up read, the update and the verification
  // share what the provider said (and the ids in the service's cache), so no fact is asked twice.
  const reads: ReadMemo = new Map();
  const active = st.records.filter((r) => !isBlocked(r, service.fingerprint));
  if (active.length === 0) return { action: 'blocked', requests: 0, detections: [] };
  const detections = await detectFamilies(active, deps);
  // Without this line the log would only say "retry 1 in 60 s", never why.
  // A tentative address is not a problem: it is followed and published when DAD ends.
  for (const d of detections) if (d.address === undefined) deps.log[d.pending ? 'info' : 'warn'](noAddress(d.family, d));
  const now = deps.clock.now();
  const failedDetect = applyDetections(active, detections, now);
  const candidates = active.filter((r) => r.detected !== undefined);
  if (service.verify && deps.verifier) await seedFromDns(candidates.filter((r) => r.registered === undefined), st, reads, deps);
  const due = candidates.filter((r) => req.force || r.registered !== r.detected || forceDue(service, r, now));
  for (const r of candidates) if (!due.includes(r)) markUnchanged(r);
  const detectRetry = failedDetect && !deps.source.signalsChanges;
  if (due.length === 0) {
    if (detectRetry) return { action: 'retry', retryKind: 'network', requests: 0, detections };
    return { action: failedDetect ? 'error' : 'none', requests: 0, detections };
  }
  if (st.notBefore !== undefined && now < st.notBefore) {
    for (const r of due) r.state = 'retrying';
    return { action: 'deferred', requests: 0, detections };
  }
  const summary = await sendUpdates(service, st, due, candidates, reads, deps, req);
  summary.detections = detections;
  if (summary.action === 'updated' && detectRetry) return { ...summary, action: 'retry', retryKind: 'network' };
  return summary;
}

async function detectFamilies(records: RecordState[], deps: CheckDeps): Promise<Detection[]> {
  const families = [...new Set(records.map((r) => FAMILY[r.type]))].sort();
  const out: Detection[] = [];
  for (const family of families) {
    try {
      out.push(await deps.source.detect(family, { log: deps.log, signal: deps.signal }));
    } catch (err) {
      out.push({ family, candidates: [], warnings: [], error: clean(errorText(err), deps) });
    }
  }
  return out;
}

/** Note what each record's family detected; returns true when some family found nothing. */
function applyDetections(records: RecordState[], detections: Detection[], now: number): boolean {
  let failed = false;
  for (const r of records) {
    const d = detections.find((x) => x.family === FAMILY[r.type]);
    r.lastCheck = now;
    r.detected = d?.address;
    if (d?.address === undefined) {
      failed = true;
      r.state = d?.pending ? 'pending' : 'error';
      r.lastResult = noAddress(FAMILY[r.type], d);
    }
  }
  return failed;
}

function noAddress(family: Family, d: Detection | undefined): string {
  return `no IPv${family} address: ${d?.error ?? 'the source found none that qualifies'}`;
}

/** Keep the provider's last answer as the result text, unless it describes a problem that is gone. */
function markUnchanged(r: RecordState): void {
  if (r.state !== 'ok' || r.lastResult === undefined) r.lastResult = `${r.verified ? 'verified' : 'unchanged'}: ${r.registered}`;
  r.state = 'ok';
}

function forceDue(service: ServiceConfig, r: RecordState, now: number): boolean {
  return service.forceIntervalMs > 0 && r.lastUpdate !== undefined && now - r.lastUpdate >= service.forceIntervalMs;
}

/**
 * At first start (no state), ask DNS or the provider what the record holds, so an unchanged
 * address is never resent. The answer is waited for at most `seedBoundMs`: after that the
 * lookup is cancelled and the update goes out (at worst one request the provider answers
 * `nochg`), rather than a boot waiting on a resolver that is not there. A provider's read
 * shares the check's ids and replies (`reads`), so the update does not ask again.
 */
async function seedFromDns(records: RecordState[], st: ServiceState, reads: ReadMemo, deps: CheckDeps): Promise<void> {
  if (records.length === 0 || !deps.verifier) return;
  const bound = deps.seedBoundMs ?? SEED_BOUND_MS;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  deps.signal?.addEventListener('abort', onAbort);
  let timer: { cancel(): void } | undefined;
  const late = new Promise<undefined>((resolve) => (timer = deps.clock.after(bound, () => resolve(undefined))));
  let found: Map<string, string[]> | undefined;
  try {
    found = await Promise.race([deps.verifier(records.map(ref), { signal: ac.signal, cache: cacheOf(st), reads }), late]);
  } finally {
    timer?.cancel();
    deps.signal?.removeEventListener('abort', onAbort);
    ac.abort();
  }
  if (!found) {
    deps.log.info(`what DNS holds for ${records.map((r) => `${r.name} ${r.type}`).join(', ')} is not known within ${bound} ms (resolver slow or unreachable): updating without it`);
    return;
  }
  for (const r of records) {
    const addrs = found.get(recordKey(r));
    if (!addrs) continue;
    if (addrs.includes(r.detected!)) {
      r.registered = r.detected;
      r.verified = true;
      // When it was last sent is unknown: count force_interval from this verification.
      r.lastUpdate ??= deps.clock.now();
      deps.log.info(`${r.name} ${r.type} already has ${r.detected} (verified), nothing to send`);
    } else {
      deps.log.info(`${r.name} ${r.type} has ${addrs.length ? addrs.join(', ') : 'no address'}, detected ${r.detected}`);
    }
  }
}

async function sendUpdates(
  service: ServiceConfig,
  st: ServiceState,
  due: RecordState[],
  candidates: RecordState[],
  reads: ReadMemo,
  deps: CheckDeps,
  req: CheckRequest,
): Promise<CheckSummary> {
  const summary: CheckSummary = { action: 'updated', requests: 0, detections: [] };
  const sent: RecordState[] = [];
  const reported = new Map<string, string>();
  for (const group of groupUpdates(due, candidates, deps.capabilities)) {
    for (const r of group) r.state = 'updating';
    summary.requests++;
    deps.log.info(`updating ${group.map((r) => `${r.name} ${r.type} ${r.detected}`).join(', ')} (${req.reason})`);
    const results = await callProvider(group, st, reads, deps, req.force);
    for (const [i, r] of group.entries()) {
      applyResult(service, r, results[i], deps, summary);
      if (results[i].address !== undefined) reported.set(recordKey(r), results[i].address!);
    }
    sent.push(...group.filter((r) => r.state === 'ok'));
  }
  if (service.verify && deps.verifier && sent.length) await verifyAfter(sent, { signal: deps.signal, cache: cacheOf(st), reads, reported }, deps);
  return summary;
}

/**
 * Which records go in one provider call: both families together when the provider takes
 * them in one request (Dyn deletes the family that is left out, so the unchanged one
 * rides along), and no more names per call than the provider accepts.
 */
export function groupUpdates(due: RecordState[], candidates: RecordState[], caps: Capabilities): RecordState[][] {
  let pool = due;
  if (caps.dualStackOneRequest) {
    const names = new Set(due.map((r) => r.name));
    pool = candidates.filter((r) => names.has(r.name));
  }
  const byFamily = caps.dualStackOneRequest ? [pool] : (['A', 'AAAA'] as const).map((t) => pool.filter((r) => r.type === t));
  const perCall = Math.max(1, caps.hostsPerRequest);
  const groups: RecordState[][] = [];
  for (const fam of byFamily) {
    const names = [...new Set(fam.map((r) => r.name))];
    for (let i = 0; i < names.length; i += perCall) {
      const chunk = new Set(names.slice(i, i + perCall));
      groups.push(fam.filter((r) => chunk.has(r.name)));
    }
  }
  return groups.filter((g) => g.length > 0);
}

async function callProvider(group: RecordState[], st: ServiceState, reads: ReadMemo, deps: CheckDeps, force: boolean): Promise<UpdateResult[]> {
  const updates: RecordUpdate[] = group.map((r) => ({ record: ref(r), address: r.detected! }));
  try {
    const results = await deps.provider.update(updates, {
      log: deps.log,
      cache: cacheOf(st),
      reads,
      userAgent: deps.userAgent,
      signal: deps.signal,
      force,
      now: () => deps.clock.now(),
      sleep: (ms) => new Promise<void>((resolve) => void deps.clock.after(ms, resolve)),
      transport: { ...deps.transport, ...requestFamily(group, deps) },
    });
    if (results.length !== updates.length) throw new Error(`provider answered ${results.length} results for ${updates.length} records`);
    return results;
  } catch (err) {
    const message = `update failed: ${errorText(err)}`;
    return updates.map((u) => ({ record: u.record, outcome: 'network' as Outcome, message }));
  }
}

/** With force_ipversion, the family of the records a request carries (none when it carries both: one request cannot travel over two). */
function requestFamily(group: RecordState[], deps: CheckDeps): { family?: Family } {
  if (!deps.forceIpVersion) return {};
  const families = new Set(group.map((r) => FAMILY[r.type]));
  return families.size === 1 ? { family: [...families][0] } : {};
}

function applyResult(service: ServiceConfig, r: RecordState, res: UpdateResult, deps: CheckDeps, summary: CheckSummary): void {
  const now = deps.clock.now();
  r.lastOutcome = res.outcome;
  r.lastResult = clean(res.message, deps);
  if (res.outcome === 'ok' || res.outcome === 'nochg') {
    if (r.registered !== r.detected) {
      r.lastChange = now;
      (summary.changed ??= []).push({ record: r, old: r.registered ?? '' });
    }
    r.registered = r.detected;
    r.lastUpdate = now;
    r.verified = false;
    r.state = 'ok';
    deps.log.info(`${r.name} ${r.type} set to ${r.detected}: ${r.lastResult}`);
  } else if (BLOCKING_OUTCOMES.includes(res.outcome)) {
    r.state = 'blocked';
    r.blockedFingerprint = service.fingerprint;
    r.lastResult = `${r.lastResult} (blocked: no more requests until the configuration of ${service.name} changes)`;
    deps.log.error(`${r.name} ${r.type} ${res.outcome}: ${r.lastResult}`);
    if (summary.action === 'updated') summary.action = 'blocked';
  } else {
    r.state = 'retrying';
    deps.log.warn(`${r.name} ${r.type} (${res.outcome}): ${r.lastResult}`);
    const kind = res.outcome === 'transient' ? 'transient' : 'network';
    summary.retryKind = summary.retryKind === 'transient' ? 'transient' : kind;
    summary.action = 'retry';
    summary.retryAfterMs = Math.max(summary.retryAfterMs ?? 0, res.retryAfterMs ?? 0) || undefined;
  }
}

async function verifyAfter(records: RecordState[], vctx: VerifyContext, deps: CheckDeps): Promise<void> {
  const found = await deps.verifier!(records.map(ref), vctx);
  for (const r of records) {
    const addrs = found.get(recordKey(r));
    r.verified = addrs !== undefined && addrs.includes(r.registered!);
    if (!r.verified) deps.log.warn(`${r.name} ${r.type}: not verified yet (${addrs ? `answers ${addrs.join(', ') || 'nothing'}` : 'lookup failed'})`);
    else deps.log.debug(`${r.name} ${r.type}: verified ${r.registered}`);
  }
}

function cacheOf(st: ServiceState) {
  return {
    get: (k: string) => st.cache[k],
    set: (k: string, v: string) => void (st.cache[k] = v),
    delete: (k: string) => void delete st.cache[k],
  };
}

function ref(r: RecordState) {
  return { name: r.name, type: r.type };
}

/** Kept text goes to status, LuCI and `ddnsd status` on a terminal: no secrets, and no control characters from a provider's answer. */
function clean(text: string, deps: CheckDeps): string {
  return oneLine(redact(text, deps.secrets));
}
