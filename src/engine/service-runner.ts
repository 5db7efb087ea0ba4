import { errorText } from '../util/error-text';
import { recordTypes, type ServiceConfig } from '../config/types';
import type { Detection, Family } from '../detect/types';
import { sendingFrom } from '../net/bind';
import type { Timer } from '../util/clock';
import { backoffDelay } from './backoff';
import { runCheck, type CheckDeps, type CheckSummary } from './check';
import { isBlocked } from './records';
import type { ServiceState } from './state';
import type { Route, Router, WanStatus } from './wan';
import { markRecords, recordEvents, type RecordEvent } from './hooks';

export interface RunnerDeps extends Omit<CheckDeps, 'signal'> {
  /** Jitter source for backoff, in [0, 1). */
  random?: () => number;
  /** Called after every check, so the daemon can save state. */
  onChecked?: (summary: CheckSummary) => void;
  /** Several WANs, bind_wan, bind_network: which WAN and local address each check goes through. */
  router?: Router;
  /** Records whose registered address changed, or that became blocked or unblocked, in a check (hooks). */
  onEvents?: (events: RecordEvent[]) => void;
}

/**
 * Runs the checks of one service: at most one at a time; a trigger that arrives while a
 * check runs is folded into a single re-check afterwards; the first trigger of a burst acts
 * at once. Between triggers it keeps one timer: retry, force_interval or safety re-check,
 * whichever is due first.
 */
/** Why a check runs: a netifd/hotplug event, a timer (retry, force_interval, safety re-check), a manual `update`, a configuration (re)load. */
export type TriggerKind = 'event' | 'timer' | 'manual' | 'config';

export interface Trigger {
  kind: TriggerKind;
  /** For the log: `ifup wan`, `timer: retry`, `reload`. */
  reason: string;
  /** Send even when the registered address equals the detected one. */
  force: boolean;
}

export function trigger(kind: TriggerKind, reason: string, force = false): Trigger {
  return { kind, reason, force };
}

export class ServiceRunner {
  #running: Promise<void> | undefined;
  #pending: Trigger | undefined;
  #timer: Timer | undefined;
  #nextCheck: number | undefined;
  #retryAt: number | undefined;
  #lastRun: number | undefined;
  #abort: AbortController | undefined;
  #stopped = false;
  /** Following tentative IPv6 addresses to the end of DAD; and the pending set whose follow ran out. */
  #follow: AbortController | undefined;
  #followExpired: string | undefined;
  /** When the chosen address's preferred lifetime ends (Unix ms), if it does while we run. */
  #lifetimeAt: number | undefined;
  /** What the source saw last time, for status and warnings. */
  detections: Detection[] = [];
  /** Provider update calls made by this runner (status, tests, bench). */
  requests = 0;
  /** The WAN the last check went through (the service's interface when it has one). */
  activeInterface: string;

  constructor(readonly service: ServiceConfig, readonly state: ServiceState, private readonly deps: RunnerDeps) {
    this.activeInterface = service.interface;
  }

  /** The WAN choice of a service with several WANs, for status. */
  wanStatus(): WanStatus | undefined {
    return this.deps.router?.status();
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Unix ms of the next timed check, if any. */
  get nextCheck(): number | undefined {
    return this.#nextCheck;
  }

  /** A trigger during a check folds into one re-check afterwards (forced if any folded one was). */
  trigger(t: Trigger): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#pending = { ...t, force: t.force || (this.#pending?.force ?? false) };
      return;
    }
    this.#cancelTimer();
    this.#running = this.#loop(t).finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when no check is running (or queued). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Cancel the timer and any request in flight; no check runs afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pending = undefined;
    this.#cancelTimer();
    this.deps.router?.stop();
    this.#abort?.abort();
    this.#follow?.abort();
    await this.idle();
  }

  async #loop(first: Trigger): Promise<void> {
    let next: Trigger | undefined = first;
    while (next && !this.#stopped) {
      const summary = await this.#checkOnce(next.reason, next.force);
      this.#afterCheck(summary);
      this.#followUp(summary.detections);
      this.deps.onChecked?.(summary);
      next = this.#pending;
      this.#pending = undefined;
    }
    if (!this.#stopped) this.#schedule();
  }

  async #checkOnce(reason: string, force: boolean): Promise<CheckSummary> {
    this.#abort = new AbortController();
    const before = markRecords(this.state.records, this.service.fingerprint);
    let changed: CheckSummary['changed'];
    const log = this.deps.log;
    log.debug(`check (${reason}${force ? ', forced' : ''})`);
    try {
      const signal = this.#abort.signal;
      // No await without a router: the first trigger of a burst reaches the source in the same turn.
      const route = this.deps.router ? await this.#route(signal) : undefined;
      const deps = { ...this.deps, signal, ...(route?.source ? { source: route.source } : {}) };
      const summary = await sendingFrom(route?.bind, () => runCheck(this.service, this.state, deps, { reason, force }));
      // A blocked check detects nothing; keep the last detection for status rather than show none.
      if (summary.action !== 'blocked' || summary.detections.length > 0) this.detections = summary.detections;
      changed = summary.changed;
      this.requests += summary.requests;
      return summary;
    } catch (err) {
      log.error(`check failed: ${errorText(err)}`);
      return { action: 'retry', retryKind: 'network', requests: 0, detections: [] };
    } finally {
      this.#abort = undefined;
      this.#lastRun = this.deps.clock.now();
      this.#announce(before, changed ?? []);
    }
  }

  #announce(before: ReturnType<typeof markRecords>, changed: NonNullable<CheckSummary['changed']>): void {
    if (!this.deps.onEvents) return;
    const events = recordEvents(this.service, this.activeInterface, before, this.state.records, this.deps.secrets, changed);
    if (events.length === 0) return;
    try {
      this.deps.onEvents(events);
    } catch (err) {
      this.deps.log.warn(`hooks: ${errorText(err)}`);
    }
  }

  async #route(signal: AbortSignal): Promise<Route> {
    const families = recordTypes(this.service.ipVersion).map((t): Family => (t === 'A' ? 4 : 6));
    const route = await this.deps.router!.route(families, signal);
    this.activeInterface = route.interface;
    return route;
  }

  /** Turn a check's outcome into the failure streak, the provider wait and the retry time. */
  #afterCheck(s: CheckSummary): void {
    const st = this.state;
    const now = this.deps.clock.now();
    this.#retryAt = undefined;
    if (s.action === 'deferred') {
      this.#retryAt = st.notBefore;
      return;
    }
    if (s.action !== 'retry') {
      if (s.action === 'updated' || s.action === 'none') {
        st.failures = 0;
        st.notBefore = undefined;
        st.lastDelayMs = undefined;
      }
      return;
    }
    st.failures++;
    const max = this.service.retryMaxCount;
    const delay = backoffDelay({
      previousMs: st.lastDelayMs,
      baseMs: this.service.retryIntervalMs,
      retryAfterMs: s.retryAfterMs,
      kind: s.retryKind ?? 'network',
      random: this.deps.random,
    });
    // A provider's "not before" holds even for events and manual updates; a network failure does not (the next event may bring the route).
    if (s.retryKind === 'transient') st.notBefore = now + delay;
    st.lastDelayMs = delay;
    if (max > 0 && st.failures > max) {
      this.#giveUp(max);
      return;
    }
    this.#retryAt = now + delay;
    this.deps.log.info(`retry ${st.failures}${max > 0 ? ` of ${max}` : ''} in ${Math.round(delay / 1000)} s`);
  }

  #giveUp(max: number): void {
    for (const r of this.state.records) {
      if (r.state !== 'retrying') continue;
      r.state = 'error';
      r.lastResult = `${r.lastResult ?? 'failed'} (gave up after ${max} retries; the next event or a manual update tries again)`;
    }
    this.deps.log.error(`gave up after ${max} retries`);
  }

  /**
   * What no event will announce: the end of duplicate address detection on a tentative
   * address (followed by the source, then checked at once), and the end of the chosen
   * address's preferred lifetime (a timer). A follow that outlasts DAD's bound checks once
   * and is not restarted for the same addresses; the next event or timer looks again.
   */
  #followUp(detections: Detection[]): void {
    const now = this.deps.clock.now();
    const lives = detections.map((d) => d.preferredForMs).filter((ms): ms is number => ms !== undefined);
    // A second late, so the kernel and netifd have marked it deprecated when we look.
    this.#lifetimeAt = lives.length ? now + Math.min(...lives) + 1000 : undefined;
    this.#follow?.abort();
    this.#follow = undefined;
    const pending = detections.find((d) => d.pending)?.pending;
    const settled = this.deps.source.settled?.bind(this.deps.source);
    if (!pending || !settled) {
      this.#followExpired = undefined;
      return;
    }
    const key = `${pending.device} ${pending.addresses.join(' ')}`;
    if (key === this.#followExpired) return;
    const ac = new AbortController();
    this.#follow = ac;
    const which = pending.addresses.join(', ');
    this.deps.log.debug(`following duplicate address detection of ${which} on ${pending.device}`);
    void settled(pending, ac.signal).then((how) => {
      if (ac.signal.aborted || this.#stopped) return;
      this.#follow = undefined;
      this.#followExpired = how === 'timeout' ? key : undefined;
      this.trigger(trigger('event', how === 'settled' ? `duplicate address detection ended for ${which}` : `duplicate address detection of ${which} outlasted its bound`));
    }, (err) => this.deps.log.warn(`cannot follow duplicate address detection of ${which}: ${errorText(err)}`));
  }

  #schedule(): void {
    const due = [this.#retryAt, this.#forceAt(), this.#safetyAt(), this.#lifetimeAt].filter((t): t is number => t !== undefined);
    this.#nextCheck = due.length ? Math.min(...due) : undefined;
    if (this.#nextCheck === undefined) return;
    const at = this.#nextCheck;
    const why = at === this.#retryAt ? 'retry' : at === this.#forceAt() ? 'force interval' : at === this.#lifetimeAt ? 'preferred lifetime ended' : 'check interval';
    this.#timer = this.deps.clock.after(at - this.deps.clock.now(), () => {
      this.#timer = undefined;
      this.trigger(trigger('timer', `timer: ${why}`));
    });
  }

  #forceAt(): number | undefined {
    if (this.service.forceIntervalMs <= 0) return undefined;
    const times = this.state.records
      .filter((r) => !isBlocked(r, this.service.fingerprint) && r.lastUpdate !== undefined)
      .map((r) => r.lastUpdate! + this.service.forceIntervalMs);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Sources that cannot announce a change (web, dns, script) are asked again now and then. */
  #safetyAt(): number | undefined {
    if (this.deps.source.signalsChanges || this.service.checkIntervalMs <= 0 || this.#lastRun === undefined) return undefined;
    if (this.state.records.every((r) => isBlocked(r, this.service.fingerprint))) return undefined;
    return this.#lastRun + this.service.checkIntervalMs;
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#nextCheck = undefined;
  }
}
