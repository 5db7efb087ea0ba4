import type { LoadedConfig, ServiceConfig } from '../config/types';
import { problemLines } from '../config/schema';
import type { Family, Source } from '../detect/types';
import type { ProviderDef } from '../providers/types';
import type { Clock } from '../util/clock';
import type { Level, LogSink, Logger } from '../util/log';
import { errorText, fsErrorText } from '../util/error-text';
import { redact } from '../util/secret';
import { VERSION } from '../version';
import { connectWithRetry, watchNetifd, type EngineBus, type Handle } from './bus';
import { adhocService, detectService, familiesOf, type AdhocDetect } from './detect';
import { LogBook, type NumberedEntry } from './logbook';
import { ddnsdMethods, notFound, type DaemonApi, type UpdateReply } from './object';
import { forceWarning, providersReply } from './providers-reply';
import { findProvider } from '../providers/registry';
import { isBlocked, reconcileState } from './records';
import { trigger, type ServiceRunner } from './service-runner';
import { createProvider, createRunner, followsWans, serviceSecrets, serviceTransport, USER_AGENT, watchesInterface, type EngineDeps, type VerifierFactory } from './services';
import { loadState, StateStore, type ServiceState, type StateFile } from './state';
import { secs, serviceStatus, type StatusReply } from './status';
import { Mwan3Watch } from './wan';
import { HotplugHooks, markRecords, recordEvents, ubusEvents, type HookSink, type RecordEvent } from './hooks';
import { Notifications, type TestNotifyReply } from './notify';
import type { HttpRequest, HttpResponse } from '../net/http';

/** Everything the daemon takes from outside; production values come from wiring.ts. */
export interface DaemonOptions {
  configPath: string;
  stateDir: string;
  clock: Clock;
  sink: LogSink;
  /** --log-level: wins over the config's log_level. */
  logLevel?: Level;
  providers: readonly ProviderDef[];
  readConfig(path: string): Promise<string>;
  loadConfig(text: string, opts: { providers: readonly ProviderDef[] }): LoadedConfig;
  /** One attempt to connect; the daemon retries until ubusd is there. */
  connectBus(): Promise<EngineBus>;
  sourceFactory(service: ServiceConfig, bus: EngineBus): Source;
  verifierFactory: VerifierFactory;
  random?: () => number;
  /** Where change hooks live (default /etc/hotplug.d/ddnsd) and how long one may run (default 10 s). */
  hooksDir?: string;
  hookTimeoutMs?: number;
  /** Notify sections: the router's name in messages (default the kernel's hostname), the HTTP client (default net/http). */
  hostname?: string;
  notifySend?: (req: HttpRequest) => Promise<HttpResponse>;
}

interface Entry {
  name: string;
  config?: ServiceConfig;
  state?: ServiceState;
  runner?: ServiceRunner;
  error?: string;
}

export interface ReloadReply {
  ok: boolean;
  error: string;
  started: string[];
  unchanged: string[];
  removed: string[];
  rejected: { name: string; error: string }[];
}

/**
 * The running daemon: owns the services, their runners and state, the bus connection and
 * the `ddnsd` object. Signals and the CLI live elsewhere (cli/run.ts).
 */
export class Daemon implements DaemonApi {
  readonly logger: Logger;
  readonly logbook: LogBook;
  #entries = new Map<string, Entry>();
  #fileState: StateFile = { version: 1, services: {} };
  #errors: string[] = [];
  #bus: EngineBus | undefined;
  #mwan3: Mwan3Watch | undefined;
  /** Where record events go: the ubus event, hotplug.d executables (and notify sections). */
  #sinks: HookSink[] = [];
  readonly hooks: HotplugHooks;
  /** The notify sections' sender. */
  readonly notifications: Notifications;
  #handles: Handle[] = [];
  #store: StateStore;
  #started: number;
  #stopped = false;
  #applied = false;
  #reloading: Promise<unknown> = Promise.resolve();

  private constructor(readonly opts: DaemonOptions) {
    this.logger = opts.sink.logger('');
    this.logbook = new LogBook(opts.sink);
    this.#started = opts.clock.now();
    this.#store = new StateStore(opts.stateDir, () => this.#snapshot(), this.logger);
    this.hooks = new HotplugHooks({ dir: opts.hooksDir, timeoutMs: opts.hookTimeoutMs, clock: opts.clock, log: this.logger.child('hooks') });
    this.notifications = new Notifications({ clock: opts.clock, log: this.logger, host: opts.hostname, send: opts.notifySend });
  }

  /** A daemon not yet started: `open()` it; `stop()` may come at any time (SIGTERM while waiting for ubusd). */
  static create(opts: DaemonOptions): Daemon {
    return new Daemon(opts);
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(opts);
    await d.open();
    return d;
  }

  /** Load state and configuration, connect to ubus, publish `ddnsd`, follow netifd, run the first checks. */
  async open(): Promise<void> {
    const { opts } = this;
    if (opts.logLevel) opts.sink.level = opts.logLevel;
    this.#fileState = await loadState(opts.stateDir, this.logger);
    const loaded = await this.#readConfig();
    this.#bus = await connectWithRetry(opts.connectBus, opts.clock, this.logger.child('ubus'), () => this.#stopped);
    if (!this.#bus || this.#stopped) return;
    this.#handles.push(await this.#bus.addObject('ddnsd', ddnsdMethods(this)).catch((err) => {
      throw new Error(`cannot publish the ddnsd object on ubus (${errorText(err)}); is another ddnsd running?`);
    }));
    this.#handles.push(await watchNetifd(this.#bus, this.logger.child('netifd'), (i, a, o) => this.#onInterface(i, a, o)));
    const bus = this.#bus;
    if (bus.send) this.#sinks.push(ubusEvents((type, data) => bus.send!(type, data), this.logger.child('hooks')));
    this.#sinks.push(this.hooks, this.notifications);
    await this.#apply(loaded ?? emptyConfig(), 'start');
    this.logger.info(`ddnsd ${VERSION} running with ${this.#entries.size} service(s)`);
  }

  get bus(): EngineBus | undefined {
    return this.#bus;
  }

  runner(name: string): ServiceRunner | undefined {
    return this.#entries.get(name)?.runner;
  }

  /** Resolves when no check is running anywhere (tests, shutdown). */
  async idle(): Promise<void> {
    for (const e of this.#entries.values()) await e.runner?.idle();
  }

  /** Stop every check, write the state, leave the bus. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all([...this.#entries.values()].map((e) => e.runner?.stop()));
    this.hooks.close();
    this.notifications.close();
    // Stopped before the configuration was applied: the state file on disk is still the truth.
    const saved = this.#applied ? await this.#store.save() : undefined;
    await Promise.allSettled(this.#handles.map((h) => h.remove()));
    this.#bus?.close();
    this.logbook.close();
    // "state saved" only when it was: after a failed write it would mislead.
    this.logger.info(saved === undefined ? 'stopped' : saved ? 'stopped; state saved' : 'stopped; the state was not saved');
  }

  // ---- configuration -------------------------------------------------------------------

  async #readConfig(): Promise<LoadedConfig | undefined> {
    let text: string;
    try {
      text = await this.opts.readConfig(this.opts.configPath);
    } catch (err) {
      return this.#configError(`cannot read ${this.opts.configPath}: ${fsErrorText(err)}`);
    }
    try {
      const loaded = this.opts.loadConfig(text, { providers: this.opts.providers });
      // A half-typed edit saved by mistake must not stop every service.
      if (loaded.unparsable) return this.#configError(loaded.problems.map((p) => `${this.opts.configPath}: ${p.message}`).join('; '));
      this.#errors = loaded.problems.filter((p) => p.section === '').map((p) => `${this.opts.configPath}${p.line ? `:${p.line}` : ''}: ${p.message}`);
      for (const e of this.#errors) this.logger.error(e);
      return loaded;
    } catch (err) {
      return this.#configError(`${this.opts.configPath}: ${errorText(err)}`);
    }
  }

  #configError(text: string): undefined {
    this.#errors = [text];
    // At start there is nothing to keep: say what happens instead.
    const then = this.#entries.size > 0 ? 'keeping the services as they were' : 'no service runs until it is fixed (then: /etc/init.d/ddnsd reload)';
    this.logger.error(`${text}; ${then}`);
    return undefined;
  }

  /** Re-read the configuration; reloads (SIGHUP, ubus) run one after another, never interleaved. */
  reload(): Promise<ReloadReply> {
    const next = this.#reloading.then(() => this.#reload());
    this.#reloading = next.catch(() => undefined);
    return next;
  }

  async #reload(): Promise<ReloadReply> {
    if (this.#stopped) return { ok: false, error: 'stopping', started: [], unchanged: [], removed: [], rejected: [] };
    this.logger.info(`reloading ${this.opts.configPath}`);
    const loaded = await this.#readConfig();
    if (!loaded) return { ok: false, error: this.#errors.join('; '), started: [], unchanged: [], removed: [], rejected: [] };
    return this.#apply(loaded, 'reload');
  }

  /** Make the running services match `loaded`: unchanged ones keep runner and state, others restart. */
  async #apply(loaded: LoadedConfig, why: string): Promise<ReloadReply> {
    const { sink } = this.opts;
    sink.level = this.opts.logLevel ?? loaded.global.logLevel;
    this.logbook.capacity = loaded.global.logLines;
    for (const s of loaded.services) sink.addSecrets(serviceSecrets(s));
    for (const n of loaded.notify ?? []) if (n.token) sink.addSecrets([n.token]);
    this.#applyNotify(loaded);
    const reply: ReloadReply = { ok: true, error: '', started: [], unchanged: [], removed: [], rejected: [] };
    const next = new Map<string, Entry>();
    for (const s of loaded.services) {
      const old = this.#entries.get(s.name);
      if (old?.config && old.config.fingerprint === s.fingerprint && !old.error) {
        next.set(s.name, old);
        reply.unchanged.push(s.name);
        continue;
      }
      await old?.runner?.stop();
      const previous = old?.state ?? this.#fileState.services[s.name];
      const entry = this.#makeEntry(s, previous);
      next.set(s.name, entry);
      reply.started.push(s.name);
      // A changed configuration lifts blocks: say so (the records are unblocked).
      if (previous && entry.state) {
        this.#emit(recordEvents(s, s.interface, markRecords(previous.records, previous.fingerprint), entry.state.records, serviceSecrets(s)));
      }
    }
    for (const r of loaded.rejected) {
      const old = this.#entries.get(r.name);
      await old?.runner?.stop();
      // One problem a line: joined with '; ' they ran together (messages hold '; ' themselves).
      const lines = problemLines(r.name, r.problems);
      const error = lines.join('\n') || 'invalid configuration';
      for (const l of lines.length ? lines : [error]) this.logger.error(`service ${r.name} skipped: ${l}`);
      next.set(r.name, { name: r.name, state: old?.state, error });
      reply.rejected.push({ name: r.name, error });
    }
    for (const [name, e] of this.#entries) {
      if (next.has(name)) continue;
      await e.runner?.stop();
      reply.removed.push(name);
    }
    this.#entries = next;
    this.#fileState = { version: 1, services: {} };
    this.#applied = true;
    for (const name of reply.started) this.#entries.get(name)?.runner?.trigger(trigger('config', why));
    void this.#store.save();
    return reply;
  }

  /** Notify sections follow the configuration; a rejected one is logged and shown in status with why. */
  #applyNotify(loaded: LoadedConfig): void {
    const rejected = (loaded.rejectedNotify ?? []).map((r) => {
      const lines = problemLines(r.name, r.problems);
      for (const l of lines) this.logger.error(`notify ${r.name} skipped: ${l}`);
      return { name: r.name, error: lines.join('\n') || 'invalid configuration' };
    });
    this.notifications.apply(loaded.notify ?? [], rejected);
  }

  #makeEntry(config: ServiceConfig, previous: ServiceState | undefined): Entry {
    const state = reconcileState(config, previous);
    const entry: Entry = { name: config.name, config, state };
    if (!config.enabled) return entry;
    try {
      entry.runner = createRunner(config, state, this.#engineDeps());
    } catch (err) {
      entry.error = redact(errorText(err), serviceSecrets(config));
      this.logger.error(`service ${config.name} cannot run: ${entry.error}`);
    }
    return entry;
  }

  #engineDeps(): EngineDeps {
    const bus = this.#bus!;
    const call = (o: string, m: string, a: Record<string, unknown>) => bus.call(o, m, a, { timeoutMs: 3000 });
    this.#mwan3 ??= new Mwan3Watch(call);
    return {
      clock: this.opts.clock,
      sink: this.opts.sink,
      providers: this.opts.providers,
      sourceFactory: (s) => this.opts.sourceFactory(s, bus),
      verifierFactory: this.opts.verifierFactory,
      random: this.opts.random,
      onChecked: () => void this.#store.save(),
      onEvents: (events) => this.#emit(events),
      call,
      mwan3: this.#mwan3,
    };
  }

  #emit(events: RecordEvent[]): void {
    for (const e of events) {
      this.opts.sink.logger(e.service).info(`event ${e.action}: ${e.domain} ${e.type} ${e.old || '-'} → ${e.new || '-'} (${e.state})`);
      for (const sink of this.#sinks) {
        try {
          sink.emit(e);
        } catch (err) {
          this.logger.warn(`hooks: ${errorText(err)}`);
        }
      }
    }
  }

  #snapshot(): StateFile {
    const services: Record<string, ServiceState> = {};
    for (const e of this.#entries.values()) if (e.state && e.config) services[e.name] = e.state;
    return { version: 1, services };
  }

  // ---- triggers ------------------------------------------------------------------------

  /**
   * ifup / ifupdate: every service watching the network checks. A WAN going away (ifdown, and
   * mwan3's connected / disconnected) matters only to services following several WANs: they
   * may fail over or back; a service with one WAN has nowhere else to go.
   */
  #onInterface(iface: string, action: string, origin: string): void {
    this.logger.debug(`${origin}: ${action} ${iface}`);
    if (action === 'connected' || action === 'disconnected') this.#mwan3?.note(iface, action);
    const onlyMultiWan = action === 'ifdown' || action === 'connected' || action === 'disconnected';
    for (const e of this.#entries.values()) {
      if (!e.runner || !e.config || !watchesInterface(e.config, iface)) continue;
      if (onlyMultiWan && !followsWans(e.config)) continue;
      e.runner.trigger(trigger('event', `${action} ${iface}`));
    }
  }

  notify(iface: string, action: string, device?: string): void {
    this.#onInterface(iface, action, `hotplug${device ? ` (${device})` : ''}`);
  }

  /**
   * Check now: only what changed is sent. `force` sends the current address even when the
   * record has it; for a provider that punishes unchanged updates the reply and the log carry
   * a warning. A service whose every record is blocked is not triggered: the check would send
   * nothing, so saying "queued" would mislead. One under a provider's wait is queued, and the
   * reply says until when the wait holds.
   */
  update(service: string | undefined, force: boolean): UpdateReply {
    const list = service ? [this.#entry(service)] : [...this.#entries.values()];
    const reply: UpdateReply = { queued: [], blocked: [], waiting: [], warnings: [] };
    const now = this.opts.clock.now();
    for (const e of list) {
      if (!e.runner || !e.config || !e.state) continue;
      const fp = e.config.fingerprint;
      if (e.state.records.length > 0 && e.state.records.every((r) => isBlocked(r, fp))) {
        reply.blocked.push(e.name);
        continue;
      }
      e.runner.trigger(trigger('manual', 'manual', force));
      reply.queued.push(e.name);
      const def = force ? findProvider(e.config.provider, this.opts.providers) : undefined;
      const warning = def ? forceWarning(def) : '';
      if (warning) {
        reply.warnings.push({ service: e.name, message: warning });
        this.opts.sink.logger(e.name).warn(`forced update: ${warning}`);
      }
      const until = e.state.notBefore;
      if (until !== undefined && until > now) reply.waiting.push({ service: e.name, until: secs(until) });
    }
    return reply;
  }

  #entry(name: string): Entry {
    const e = this.#entries.get(name);
    if (!e) throw notFound(`no service named '${name}'`);
    return e;
  }

  // ---- replies -------------------------------------------------------------------------

  status(service?: string): StatusReply {
    const list = service ? [this.#entry(service)] : [...this.#entries.values()];
    return {
      version: VERSION,
      uptime: Math.floor((this.opts.clock.now() - this.#started) / 1000),
      errors: [...this.#errors],
      notify: this.notifications.status(),
      services: list.map((e) =>
        serviceStatus({
          name: e.name, config: e.config, state: e.state, detections: e.runner?.detections ?? [], nextCheck: e.runner?.nextCheck, error: e.error,
          activeInterface: e.runner?.activeInterface, wan: e.runner?.wanStatus(),
        }),
      ),
    };
  }

  log(opts: { service?: string; lines?: number; after?: number }): { lines: Record<string, unknown>[]; omitted: number } {
    if (opts.service) this.#entry(opts.service);
    const list = this.logbook.recent({ scope: opts.service, lines: opts.lines, after: opts.after });
    // Following (`after`): keep the oldest, the next page brings the rest; otherwise the newest.
    const fit = fitReply(list, opts.after !== undefined && opts.after > 0 ? 'oldest' : 'newest');
    return {
      lines: fit.map((e) => ({ id: e.id, time: secs(e.time), level: e.level, service: e.scope, message: e.message })),
      omitted: list.length - fit.length,
    };
  }

  providers(): unknown {
    return providersReply(this.opts.providers);
  }

  async detect(opts: { service?: string; family?: Family; adhoc?: AdhocDetect }): Promise<unknown> {
    const factory = (s: ServiceConfig) => this.opts.sourceFactory(s, this.#bus!);
    const log = this.logger.child('detect');
    const configs = [...this.#entries.values()].map((e) => e.config).filter((c): c is ServiceConfig => c !== undefined);
    if (opts.adhoc) {
      const s = adhocService(opts.adhoc, configs[0]);
      return { services: [await detectService(s, opts.adhoc.family ? [opts.adhoc.family] : [4, 6], factory, log)] };
    }
    const chosen = opts.service ? [this.#entry(opts.service).config].filter((c): c is ServiceConfig => c !== undefined) : configs.filter((c) => c.enabled);
    const services = [];
    for (const s of chosen) services.push(await detectService(s, opts.family ? [opts.family] : familiesOf(s), factory, log));
    return { services };
  }

  /** `test {notify}`: one test message to that section, sent now. */
  testNotify(name: string): Promise<TestNotifyReply> {
    if (!this.notifications.has(name)) throw notFound(`no notify section named '${name}'`);
    return this.notifications.test(name);
  }

  async test(service: string): Promise<unknown> {
    const e = this.#entry(service);
    if (!e.config) return { service, supported: false, outcome: 'config', message: e.error ?? 'invalid configuration' };
    const secrets = serviceSecrets(e.config);
    try {
      const { def, instance } = createProvider(e.config, this.opts.providers);
      if (!instance.test) return { service, supported: false, outcome: '', message: `${def.title} cannot check credentials without changing records` };
      const cache = e.state?.cache ?? {};
      const r = await instance.test({
        log: this.opts.sink.logger(service),
        userAgent: USER_AGENT,
        now: () => this.opts.clock.now(),
        cache: { get: (k) => cache[k], set: (k, v) => void (cache[k] = v), delete: (k) => void delete cache[k] },
        transport: serviceTransport(e.config),
      });
      return { service, supported: true, outcome: r.outcome, message: redact(r.message, secrets) };
    } catch (err) {
      return { service, supported: true, outcome: 'network', message: redact(errorText(err), secrets) };
    }
  }
}

/**
 * Bytes a `log` reply may use: ubusd refuses a message over 1 MiB (MAX_MSGLEN), and the
 * caller's request then fails with no data at all. Leaves room for the message's own headers.
 */
export const LOG_REPLY_BYTES = 1024 * 1024 - 16 * 1024;

/** What one line costs in the reply's blobmsg: its strings plus the table, names and padding (at most 128 bytes). */
function lineBytes(e: NumberedEntry): number {
  return 128 + Buffer.byteLength(e.scope) + Buffer.byteLength(e.message);
}

/** As many lines of `list` as fit in LOG_REPLY_BYTES, taken from the newest or the oldest end. */
function fitReply(list: NumberedEntry[], keep: 'newest' | 'oldest'): NumberedEntry[] {
  let used = 0;
  let n = 0;
  for (; n < list.length; n++) {
    used += lineBytes(list[keep === 'newest' ? list.length - 1 - n : n]);
    if (used > LOG_REPLY_BYTES) break;
  }
  return keep === 'newest' ? list.slice(list.length - n) : list.slice(0, n);
}

function emptyConfig(): LoadedConfig {
  return { global: { logLevel: 'info', allowPrivate: false, logLines: 500 }, services: [], rejected: [], problems: [] };
}
