import type { ServiceConfig } from '../config/types';
import type { Source } from '../detect/types';
import { caBundle } from '../net/ca';
import { parseProxy, type Transport } from '../net/http';
import { problemsText } from '../providers/kit/text';
import { findProvider } from '../providers/registry';
import type { ProviderDef, ProviderInstance } from '../providers/types';
import type { Clock } from '../util/clock';
import type { LogSink } from '../util/log';
import { isSecret, Secret } from '../util/secret';
import { VERSION } from '../version';
import type { CheckDeps } from './check';
import { ServiceRunner, trigger } from './service-runner';
import type { ServiceState } from './state';
import type { Verifier } from './verify';
import type { RecordEvent } from './hooks';
import { interfacesOf, makeRouter, Mwan3Watch, readNetifd, type UbusCallFn } from './wan';

export type SourceFactory = (service: ServiceConfig) => Source;
export type VerifierFactory = (service: ServiceConfig, provider: ProviderInstance, def: ProviderDef) => Verifier | undefined;

/** Everything the engine needs from the outside world, so tests can hand it fakes. */
export interface EngineDeps {
  clock: Clock;
  sink: LogSink;
  providers: readonly ProviderDef[];
  sourceFactory: SourceFactory;
  verifierFactory: VerifierFactory;
  random?: () => number;
  /** After every check (the daemon saves state). */
  onChecked?: () => void;
  /** netifd and mwan3 over ubus, for services with several WANs or a binding (absent without a daemon). */
  call?: UbusCallFn;
  mwan3?: Mwan3Watch;
  /** Record changes, blocks and unblocks (the ubus event, hotplug.d, notify). */
  onEvents?: (events: RecordEvent[]) => void;
}

export const USER_AGENT = `ddnsd/${VERSION}`;

/** The Secret values among a service's provider options. */
export function serviceSecrets(service: ServiceConfig): Secret[] {
  const out = Object.values(service.providerOptions).filter(isSecret);
  // `proxy` is a plain option, but its user:pass@ is a credential like the provider's own
  // (redact masks its percent-encoded form as well).
  const proxyPassword = service.proxy ? parseProxy(service.proxy)?.password : undefined;
  if (proxyPassword) out.push(new Secret(proxyPassword));
  return out;
}

/**
 * How a service's provider requests travel, without the family (force_ipversion picks it per
 * request). Throws a sentence when cacert cannot be read: the service then does not run, and
 * status says why, rather than failing every update with a TLS error.
 */
export function serviceTransport(service: ServiceConfig): Transport {
  const t: Transport = {};
  if (service.tlsInsecure) t.insecure = true;
  if (service.cacert) {
    try {
      t.ca = caBundle(service.cacert);
    } catch (e) {
      throw new Error(`option cacert: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return t;
}

/** The provider bound to a service's options; throws a sentence when it cannot be made. */
export function createProvider(service: ServiceConfig, providers: readonly ProviderDef[]): { def: ProviderDef; instance: ProviderInstance } {
  const def = findProvider(service.provider, providers);
  if (!def) throw new Error(`unknown provider '${service.provider}' (see \`ddnsd providers\`)`);
  // config/ built the settings while loading; a service made by hand is read the same way here.
  const built = service.settings !== undefined
    ? { settings: service.settings }
    : def.settings({ ...service.providerOptions, ...(service.proxy ? { proxy: service.proxy } : {}) });
  if (built.problems) throw new Error(problemsText(def.title, built.problems));
  return { def, instance: def.create(built.settings) };
}

/** A runner for an enabled service. Throws a sentence (unknown provider, bad options). */
export function createRunner(service: ServiceConfig, state: ServiceState, deps: EngineDeps): ServiceRunner {
  const check = checkDeps(service, deps);
  let runner: ServiceRunner | undefined;
  const call = deps.call;
  const mwan3 = deps.mwan3 ?? new Mwan3Watch(call);
  const router = makeRouter(service, {
    clock: deps.clock,
    log: check.log,
    netifd: (name) => (call ? readNetifd(call, name) : Promise.resolve({ up: false, addresses: {}, error: 'netifd is only asked by the running daemon' })),
    mwan3: () => mwan3.statuses(),
    sourceFor: (iface) => deps.sourceFactory(onWan(service, iface)),
    wake: (why) => runner?.trigger(trigger('timer', why)),
  });
  runner = new ServiceRunner(service, state, { ...check, random: deps.random, onChecked: deps.onChecked, router, onEvents: deps.onEvents });
  return runner;
}

/** The service as if it had only `iface`: its address source reads that network. */
function onWan(service: ServiceConfig, iface: string): ServiceConfig {
  const { interfaces: _all, ipNetwork: _n, ipNetwork6: _n6, interface6: _i6, ...rest } = service;
  return { ...rest, interface: iface };
}

/** What a check of `service` needs: its provider, source, verifier and logger. Throws a sentence (unknown provider). */
export function checkDeps(service: ServiceConfig, deps: Pick<EngineDeps, 'clock' | 'sink' | 'providers' | 'sourceFactory' | 'verifierFactory'>): CheckDeps {
  const { def, instance } = createProvider(service, deps.providers);
  return {
    clock: deps.clock,
    log: deps.sink.logger(service.name),
    source: deps.sourceFactory(service),
    provider: instance,
    capabilities: def.capabilities,
    verifier: service.verify ? deps.verifierFactory(service, instance, def) : undefined,
    userAgent: USER_AGENT,
    transport: serviceTransport(service),
    forceIpVersion: service.forceIpVersion === true,
    secrets: serviceSecrets(service),
  };
}

/** Does an event about netifd interface `iface` concern this service? */
export function watchesInterface(service: ServiceConfig, iface: string): boolean {
  return [...interfacesOf(service), service.interface6, service.ipNetwork, service.ipNetwork6, service.bindNetwork].includes(iface);
}

/** A service that follows several WANs: a WAN going down (ifdown, mwan3 disconnected) may switch it. */
export function followsWans(service: ServiceConfig): boolean {
  return interfacesOf(service).length > 1;
}
