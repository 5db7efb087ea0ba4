import type { LoadedConfig, ServiceConfig } from '../config/types';
import type { Source } from '../detect/types';
import type { ProviderDef } from '../providers/types';
import type { Clock } from '../util/clock';
import { errorText, fsErrorText } from '../util/error-text';
import type { LogSink } from '../util/log';
import { runCheck, type CheckSummary } from './check';
import { isBlocked, reconcileState } from './records';
import { checkDeps, type VerifierFactory } from './services';
import { loadState, StateStore, type ServiceState, type StateFile } from './state';
import { formatTime } from '../util/time-text';
import { open, readFile, unlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `ddnsd update --once`: one check per service in this process, with no daemon (cron,
 * debugging, any Linux box). It keeps its own state file between runs (tmpfs by default, as
 * the daemon does, but not the daemon's file), so a second run sends nothing when nothing
 * changed, a record the provider refused stays refused until its configuration changes, and a
 * provider's "wait until" holds for the next run. It keeps no schedule: a failed check is
 * tried again only when it is run again. What it did goes to `out`, problems to `err`.
 */

export interface OnceOptions {
  configPath: string;
  /** Where the state of --once runs is kept. */
  stateDir: string;
  service?: string;
  force: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface OnceDeps {
  clock: Clock;
  sink: LogSink;
  providers: readonly ProviderDef[];
  readConfig(path: string): Promise<string>;
  loadConfig(text: string, opts: { providers: readonly ProviderDef[] }): LoadedConfig;
  /** The service's source; for `network` it asks netifd over ubus, or explains why it cannot. */
  sourceFactory(service: ServiceConfig): Source | Promise<Source>;
  verifierFactory: VerifierFactory;
}

/** Returns true when every chosen service ended with its records up to date. */
export async function runOnceWith(opts: OnceOptions, deps: OnceDeps): Promise<boolean> {
  const loaded = await load(opts, deps);
  if (!loaded) return false;
  const rejected = loaded.rejected.filter((r) => !opts.service || r.name === opts.service);
  for (const r of rejected) opts.err(`${r.name}: skipped, ${r.problems.map((p) => p.message).join('; ')}\n`);
  const chosen = loaded.services.filter((s) => (opts.service ? s.name === opts.service : s.enabled));
  if (opts.service && chosen.length === 0 && rejected.length === 0) {
    opts.err(`no service named '${opts.service}' in ${opts.configPath}\n`);
    return false;
  }
  // Silence and exit 0 here read as "all up to date" when nothing was checked at all.
  if (!opts.service && chosen.length === 0 && rejected.length === 0) {
    opts.err(`no enabled service in ${opts.configPath}; set option enabled '1', or name the service: ddnsd update NAME --once\n`);
    return false;
  }
  const log = deps.sink.logger('once');
  const lock = await takeOnceLock(opts.stateDir);
  if ('holder' in lock) {
    opts.err(`another \`ddnsd update --once\`${lock.holder > 0 ? ` (pid ${lock.holder})` : ''} is running with the state in ${opts.stateDir}; nothing was sent (two runs at once would send the same update twice)\n`);
    return false;
  }
  if (lock.note) opts.err(`${lock.note}\n`);
  try {
    const file: StateFile = await loadState(opts.stateDir, log);
    const store = new StateStore(opts.stateDir, () => file, log);
    let ok = rejected.length === 0;
    for (const s of chosen) {
      const st = reconcileState({ ...s, enabled: true }, file.services[s.name]);
      file.services[s.name] = st;
      ok = (await onceService(s, st, opts, deps)) && ok;
      if (!(await store.save())) opts.err(`the state could not be kept in ${opts.stateDir}: the next run may send the same update again\n`);
    }
    return ok;
  } finally {
    await lock.release();
  }
}

export const ONCE_LOCK = 'once.lock';

type OnceLock = { release(): Promise<void>; note?: string } | { holder: number };

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One `update --once` at a time per state directory (cron runs that overlap, a user's run
 * beside cron's): the lock file holds the runner's pid, created exclusively. A lock whose
 * process is gone (killed, power cut on a persistent directory) is taken over. Where no lock
 * can be made at all (read-only directory) the run goes on without one and says so: the state
 * cannot be kept there either, which the run reports too.
 */
export async function takeOnceLock(dir: string, isAlive: (pid: number) => boolean = alive): Promise<OnceLock> {
  const path = join(dir, ONCE_LOCK);
  let note: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return { release: () => unlink(path).catch(() => undefined), note };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        return { release: async () => undefined, note: `no lock in ${dir} (${fsErrorText(err)}): a run started at the same time could send the same update` };
      }
    }
    const text = await readFile(path, 'utf8').catch(() => '');
    const pid = /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
    // Being written this very moment by the run that created it: that run holds the lock.
    if (text === '') return { holder: pid ?? 0 };
    if (pid !== undefined && pid > 0 && isAlive(pid)) return { holder: pid };
    note = `a stale lock ${path} (${pid === undefined ? 'not a pid' : `pid ${pid} is gone`}) was removed`;
    await unlink(path).catch(() => undefined);
  }
  return { release: async () => undefined, note: `could not take the lock ${path}: a run started at the same time could send the same update` };
}

async function load(opts: OnceOptions, deps: OnceDeps): Promise<LoadedConfig | undefined> {
  try {
    const loaded = deps.loadConfig(await deps.readConfig(opts.configPath), { providers: deps.providers });
    if (!loaded.unparsable) return loaded;
    for (const p of loaded.problems) opts.err(`cannot load ${opts.configPath}: ${p.message}\n`);
    return undefined;
  } catch (err) {
    opts.err(`cannot load ${opts.configPath}: ${fsErrorText(err)}\n`);
    return undefined;
  }
}

async function onceService(service: ServiceConfig, st: ServiceState, opts: OnceOptions, deps: OnceDeps): Promise<boolean> {
  const refused = st.records.filter((r) => isBlocked(r, service.fingerprint));
  if (refused.length === st.records.length && refused.length > 0) {
    opts.err(`${service.name}: not sent: the provider refused it before (${refused[0].lastResult ?? 'see the last run'}); change its configuration to try again\n`);
    return false;
  }
  let summary: CheckSummary;
  try {
    const source = await deps.sourceFactory(service);
    summary = await runCheck(service, st, checkDeps(service, { ...deps, sourceFactory: () => source }), { force: opts.force, reason: 'update --once' });
  } catch (err) {
    opts.err(`${service.name}: ${errorText(err)}\n`);
    return false;
  }
  // A provider's minimum wait holds for the next run too; the daemon's own backoff does not apply here.
  if (summary.retryAfterMs) st.notBefore = deps.clock.now() + summary.retryAfterMs;
  const good = st.records.every((r) => r.state === 'ok');
  (good ? opts.out : opts.err)(describe(service, st, summary));
  return good;
}

/** Record states in words for a run that has no schedule (the daemon's `retrying` would promise a retry). */
function word(status: string, st: ServiceState, summary: CheckSummary): string {
  if (status === 'retrying' && summary.action === 'deferred') return `not sent, the provider asked to wait until ${formatTime((st.notBefore ?? 0) / 1000)}`;
  if (status === 'retrying') return 'failed';
  if (status === 'blocked') return 'refused (nothing more is sent until the configuration changes)';
  return status;
}

function describe(service: ServiceConfig, st: ServiceState, s: CheckSummary): string {
  const lines = [`${service.name}: ${s.requests} update request(s)`];
  for (const d of s.detections) for (const w of d.warnings) lines.push(`  warning: ${w}`);
  for (const r of st.records) {
    const verified = r.verified ? ', verified' : '';
    const result = (r.lastResult ?? '').replace(/ \(blocked: no more requests until the configuration of .* changes\)$/, '');
    lines.push(`  ${r.name} ${r.type}: ${word(r.state, st, s)}${verified}, detected ${r.detected ?? '-'}, registered ${r.registered ?? '-'}: ${result}`);
  }
  return lines.join('\n') + '\n';
}
