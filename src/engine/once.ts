import type { LoadedConfig, ServiceConfig } from '../config/types';
import type { Source } from '../detect/types';
import type { ProviderDef } from '../providers/types';
import type { Clock } from '../util/clock';
import { errorText, fsErrorText } from '../util/error-text';
import type { LogSink } from '../util/log';
import { runCheck, type CheckSummary } from './check';
import { reconcileState } from './records';
import { checkDeps, type VerifierFactory } from './services';
import type { ServiceState } from './state';

/**
 * `ddnsd update --once`: one check per service in this process, with no daemon, no ubus and
 * no state (it verifies first, so an unchanged address is not resent). Prints what it did.
 */

export interface OnceOptions {
  configPath: string;
  service?: string;
  force: boolean;
  out: (text: string) => void;
}

export interface OnceDeps {
  clock: Clock;
  sink: LogSink;
  providers: readonly ProviderDef[];
  readConfig(path: string): Promise<string>;
  loadConfig(text: string, opts: { providers: readonly ProviderDef[] }): LoadedConfig;
  /** Sources without ubus; throws for `network`. */
  sourceFactory(service: ServiceConfig): Source;
  verifierFactory: VerifierFactory;
}

/** Returns true when every chosen service ended with its records up to date. */
export async function runOnceWith(opts: OnceOptions, deps: OnceDeps): Promise<boolean> {
  const loaded = await load(opts, deps);
  if (!loaded) return false;
  const rejected = loaded.rejected.filter((r) => !opts.service || r.name === opts.service);
  for (const r of rejected) opts.out(`${r.name}: skipped, ${r.problems.map((p) => p.message).join('; ')}\n`);
  const chosen = loaded.services.filter((s) => (opts.service ? s.name === opts.service : s.enabled));
  if (opts.service && chosen.length === 0 && rejected.length === 0) {
    opts.out(`no service named '${opts.service}' in ${opts.configPath}\n`);
    return false;
  }
  // Silence and exit 0 here read as "all up to date" when nothing was checked at all.
  if (!opts.service && chosen.length === 0 && rejected.length === 0) {
    opts.out(`no enabled service in ${opts.configPath}; set option enabled '1', or name the service: ddnsd update NAME --once\n`);
    return false;
  }
  let ok = rejected.length === 0;
  for (const s of chosen) ok = (await onceService(s, opts, deps)) && ok;
  return ok;
}

async function load(opts: OnceOptions, deps: OnceDeps): Promise<LoadedConfig | undefined> {
  try {
    const loaded = deps.loadConfig(await deps.readConfig(opts.configPath), { providers: deps.providers });
    if (!loaded.unparsable) return loaded;
    for (const p of loaded.problems) opts.out(`cannot load ${opts.configPath}: ${p.message}\n`);
    return undefined;
  } catch (err) {
    opts.out(`cannot load ${opts.configPath}: ${fsErrorText(err)}\n`);
    return undefined;
  }
}

async function onceService(service: ServiceConfig, opts: OnceOptions, deps: OnceDeps): Promise<boolean> {
  if (service.source === 'network') {
    opts.out(`${service.name}: source 'network' asks netifd over ubus, which --once does not use; set ip_source to interface, web, dns or script\n`);
    return false;
  }
  const state = reconcileState({ ...service, enabled: true }, undefined);
  let summary: CheckSummary;
  try {
    summary = await runCheck(service, state, checkDeps(service, deps), { force: opts.force, reason: 'update --once' });
  } catch (err) {
    opts.out(`${service.name}: ${errorText(err)}\n`);
    return false;
  }
  opts.out(describe(service, state, summary));
  return state.records.every((r) => r.state === 'ok');
}

function describe(service: ServiceConfig, state: ServiceState, s: CheckSummary): string {
  const lines = [`${service.name}: ${s.requests} update request(s)`];
  for (const d of s.detections) for (const w of d.warnings) lines.push(`  warning: ${w}`);
  for (const r of state.records) {
    const verified = r.verified ? ', verified' : '';
    lines.push(`  ${r.name} ${r.type}: ${r.state}${verified}, detected ${r.detected ?? '-'}, registered ${r.registered ?? '-'}: ${r.lastResult ?? ''}`);
  }
  return lines.join('\n') + '\n';
}
