import type { ServiceConfig } from '../config/types';
import type { Source } from '../detect/types';
import { findProvider } from '../providers/registry';
import type { ProviderDef, ProviderInstance } from '../providers/types';
import type { Clock } from '../util/clock';
import type { LogSink } from '../util/log';
import { isSecret, type Secret } from '../util/secret';
import { VERSION } from '../version';
import { ServiceRunner } from './scheduler';
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
  return Object.values(service.providerOptions).filter(isSecret);
}

/** The provider bound to a service's options; throws a sentence when it cannot be made. */
export function createProvider(service: ServiceConfig, providers: readonly ProviderDef[]): { def: ProviderDef; instance: ProviderInstance } {
  const def = findProvider(service.provider, providers);
  if (!def) throw new Error(`unknown provider '${service.provider}' (see \`ddnsd providers\`)`);
  const options = service.endpoint ? { ...service.providerOptions, endpoint: service.endpoint } : { ...service.providerOptions };
  return { def, instance: def.create(options) };
}

/** A runner for an enabled service. Throws a sentence (unknown provider, bad options). */
export function createRunner(service: ServiceConfig, state: ServiceState, deps: EngineDeps): ServiceRunner {
  const { def, instance } = createProvider(service, deps.providers);
  const log = deps.sink.logger(service.name);
  return new ServiceRunner(service, state, {
    clock: deps.clock,
    log,
    source: deps.sourceFactory(service),
    provider: instance,
    capabilities: def.capabilities,
    verifier: service.verify ? deps.verifierFactory(service, instance, def) : undefined,
    userAgent: USER_AGENT,
    secrets: serviceSecrets(service),
    random: deps.random,
    onChecked: deps.onChecked,
  });
}

/** Does an event about netifd interface `iface` concern this service? */
export function watchesInterface(service: ServiceConfig, iface: string): boolean {
  return [service.interface, service.interface6, service.ipNetwork, service.ipNetwork6].includes(iface);
}
