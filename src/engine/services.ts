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
import { ServiceRunner } from './service-runner';
import type { ServiceState } from './state';
import type { Verifier } from './verify';

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
  return new ServiceRunner(service, state, { ...checkDeps(service, deps), random: deps.random, onChecked: deps.onChecked });
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
  return [service.interface, service.interface6, service.ipNetwork, service.ipNetwork6].includes(iface);
}
