import type * as childProcess from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { redact, type Secret } from '../util/secret';
import { errorText } from '../util/error-text';
import { isBlocked } from './records';
import { recordKey, type RecordState, type StateName } from './state';

// Loaded on first use (see test/cli/modules.test.ts): the CLI's common paths never need it.
const childProcessModule = (): typeof childProcess => require('node:child_process') as typeof childProcess;

/**
 * What ddnsd tells the rest of the router when a record changes: on every change of a record's
 * registered address, and when a record becomes blocked or unblocked, one RecordEvent. The
 * daemon hands it to every HookSink: the ubus event `ddnsd.record`, the executables in
 * /etc/hotplug.d/ddnsd/, the notify sections. Sinks work on their own time: nothing here is
 * awaited by a check, and no failure of theirs reaches one.
 */

export type RecordAction = 'update' | 'blocked' | 'unblocked';

export interface RecordEvent {
  action: RecordAction;
  service: string;
  domain: string;
  type: 'A' | 'AAAA';
  /** The registered address before ('' when unknown) and after. */
  old: string;
  new: string;
  state: StateName;
  /** The provider's last answer, as status shows it (secrets masked). */
  result: string;
  /** The WAN the service went through. */
  interface: string;
}

export interface HookSink {
  emit(event: RecordEvent): void;
}

/** What events need to know of a record before a check or a reload. */
export interface RecordMark {
  registered?: string;
  blocked: boolean;
}

export function markRecords(records: readonly RecordState[], fingerprint: string): Map<string, RecordMark> {
  return new Map(records.map((r) => [recordKey(r), { registered: r.registered, blocked: isBlocked(r, fingerprint) }]));
}

/**
 * The events between the records' marks and their state now: `changed` are the records an
 * update set to another address (a verification that only learned the address is no change);
 * a block that appeared or went away is `blocked` / `unblocked`.
 */
export function recordEvents(
  service: { name: string; fingerprint: string },
  iface: string,
  before: Map<string, RecordMark>,
  after: readonly RecordState[],
  secrets: readonly Secret[],
  changed: readonly { record: RecordState; old: string }[] = [],
): RecordEvent[] {
  const out: RecordEvent[] = [];
  for (const r of after) {
    const was = before.get(recordKey(r));
    if (!was) continue;
    const blocked = isBlocked(r, service.fingerprint);
    const base = {
      service: service.name, domain: r.name, type: r.type, state: r.state,
      result: redact(r.lastResult ?? '', secrets), interface: iface,
    };
    const change = changed.find((c) => c.record === r);
    if (change && r.registered !== undefined) out.push({ action: 'update', ...base, old: change.old, new: r.registered });
    if (blocked !== was.blocked) {
      out.push({ action: blocked ? 'blocked' : 'unblocked', ...base, old: was.registered ?? '', new: r.registered ?? '' });
    }
  }
  return out;
}

/** The fields of the ubus event `ddnsd.record` (DESIGN.md), plus the action. */
export function eventFields(e: Record<keyof RecordEvent, string>): Record<string, string> {
  return { action: e.action, service: e.service, domain: e.domain, type: e.type, old: e.old, new: e.new, state: e.state, result: e.result, interface: e.interface };
}

/** The environment of a hotplug.d/ddnsd executable: the same fields, in hotplug's upper-case names. */
export function hookEnvironment(e: RecordEvent): Record<string, string> {
  return {
    ACTION: e.action, SERVICE: e.service, DOMAIN: e.domain, TYPE: e.type,
    OLD_ADDRESS: e.old, NEW_ADDRESS: e.new, STATE: e.state, INTERFACE: e.interface, RESULT: e.result,
    HOTPLUG_TYPE: 'ddnsd', PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  };
}

export const HOOKS_DIR = '/etc/hotplug.d/ddnsd';
export const HOOK_TIMEOUT_MS = 10_000;
/** Events waiting while hooks run; beyond this the oldest are dropped (a hook that is always slow must not grow memory). */
const QUEUE_MAX = 64;
/** Output kept per hook run, for the log. */
const OUTPUT_MAX = 4096;

export interface HotplugOptions {
  dir?: string;
  timeoutMs?: number;
  clock: Clock;
  log: Logger;
}

/**
 * Runs the executables in /etc/hotplug.d/ddnsd/ for each event, one event at a time and the
 * files in name order (as hotplug-call does), each with the event in its environment and
 * nothing else of ours: no shell, no arguments, stdin closed. Output goes to the log; a hook
 * still running at its timeout is killed with its process group. Files without the execute
 * bit are skipped (hotplug-call sources files; ddnsd runs none through a shell).
 */
export class HotplugHooks implements HookSink {
  readonly #queue: RecordEvent[] = [];
  #running: Promise<void> | undefined;
  readonly #skipped = new Set<string>();
  readonly #dir: string;
  readonly #timeoutMs: number;
  /** Children still alive, killed at close. */
  readonly #children = new Set<number>();
  #closed = false;

  constructor(private readonly opts: HotplugOptions) {
    this.#dir = opts.dir ?? HOOKS_DIR;
    this.#timeoutMs = opts.timeoutMs ?? HOOK_TIMEOUT_MS;
  }

  emit(event: RecordEvent): void {
    if (this.#closed) return;
    this.#queue.push(event);
    if (this.#queue.length > QUEUE_MAX) {
      const dropped = this.#queue.shift()!;
      this.opts.log.warn(`hooks are behind; the event ${dropped.action} ${dropped.domain} ${dropped.type} was dropped`);
    }
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when every queued event has been handed to the hooks (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    for (const pid of this.#children) killGroup(pid);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const event = this.#queue.shift()!;
      for (const file of await this.#executables()) {
        if (this.#closed) return;
        await this.#run(file, event);
      }
    }
  }

  async #executables(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return []; // no directory: no hooks
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // byte order, as ls does in the C locale
    const out: string[] = [];
    for (const name of names) {
      const path = join(this.#dir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      if ((st.mode & 0o111) === 0) {
        if (!this.#skipped.has(path)) this.opts.log.warn(`hook ${path} is not executable; skipped (chmod +x to run it)`);
        this.#skipped.add(path);
        continue;
      }
      out.push(path);
    }
    return out;
  }

  #run(path: string, event: RecordEvent): Promise<void> {
    const log = this.opts.log;
    return new Promise<void>((resolve) => {
      let output = '';
      const keep = (d: Buffer) => {
        if (output.length < OUTPUT_MAX) output += d.toString('utf8');
      };
      let child;
      try {
        child = childProcessModule().spawn(path, [], { env: hookEnvironment(event), stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: '/' });
      } catch (err) {
        log.warn(`hook ${path} did not start: ${errorText(err)}`);
        resolve();
        return;
      }
      const pid = child.pid;
      if (pid !== undefined) this.#children.add(pid);
      let timedOut = false;
      const timer = this.opts.clock.after(this.#timeoutMs, () => {
        timedOut = true;
        if (pid !== undefined) killGroup(pid);
      });
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (err) => {
        timer.cancel();
        log.warn(`hook ${path} did not start: ${errorText(err)}`);
        resolve();
      });
      child.on('close', (code, signal) => {
        timer.cancel();
        if (pid !== undefined) this.#children.delete(pid);
        for (const line of output.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(0, 20)) log.info(`hook ${path}: ${line}`);
        if (timedOut) log.warn(`hook ${path} was killed after ${this.#timeoutMs / 1000} s`);
        else if (code !== 0) log.warn(`hook ${path} failed (${signal ? `signal ${signal}` : `exit ${code}`})`);
        else log.debug(`hook ${path} ran for ${event.action} ${event.domain} ${event.type}`);
        resolve();
      });
    });
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The ubus event `ddnsd.record`, sent in the background; a failure is logged once per streak. */
export function ubusEvents(send: (type: string, data: Record<string, unknown>) => Promise<void>, log: Logger): HookSink {
  let failing = false;
  return {
    emit(event) {
      send('ddnsd.record', eventFields(event)).then(
        () => void (failing = false),
        (err) => {
          if (!failing) log.warn(`cannot send the ubus event ddnsd.record: ${errorText(err)}`);
          failing = true;
        },
      );
    },
  };
}
