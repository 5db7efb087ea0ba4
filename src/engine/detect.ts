import { errorText } from '../util/error-text';
import type { ServiceConfig, SourceKind } from '../config/types';
import type { Detection, Family } from '../detect/types';
import type { Logger } from '../util/log';
import type { SourceFactory } from './services';

/** The `detect` reply for one service: what the source sees right now, and why. */
export interface DetectReply {
  service: string;
  source: string;
  detections: DetectionReply[];
}

export interface DetectionReply {
  family: Family;
  address: string;
  candidates: { address: string; origin: string; kept: boolean; reason: string }[];
  warnings: string[];
  error: string;
}

export interface AdhocDetect {
  source: SourceKind;
  interface?: string;
  family?: Family;
}

export function familiesOf(service: ServiceConfig): Family[] {
  return service.ipVersion === '4' ? [4] : service.ipVersion === '6' ? [6] : [4, 6];
}

export async function detectService(service: ServiceConfig, families: Family[], factory: SourceFactory, log: Logger): Promise<DetectReply> {
  const source = factory(service);
  const detections: DetectionReply[] = [];
  for (const family of families) {
    let d: Detection;
    try {
      d = await source.detect(family, { log });
    } catch (err) {
      d = { family, candidates: [], warnings: [], error: errorText(err) };
    }
    detections.push({ family, address: d.address ?? '', candidates: d.candidates.map((c) => ({ ...c })), warnings: d.warnings, error: d.error ?? '' });
  }
  return { service: service.name, source: service.source, detections };
}

/**
 * A throw-away service for `detect` with only a source named (`ddnsd detect --source
 * interface --interface eth1`): the source options come from the arguments, the rest from
 * `base` (the first configured service, for its defaults) or safe values.
 */
export function adhocService(args: AdhocDetect, base: ServiceConfig | undefined): ServiceConfig {
  const name = args.interface ?? 'wan';
  const family = args.family;
  return {
    name: `(${args.source}${args.interface ? ` ${args.interface}` : ''})`,
    enabled: true,
    provider: '',
    domains: [],
    ipVersion: family === 4 ? '4' : family === 6 ? '6' : 'both',
    interface: name,
    source: args.source,
    ipNetwork: args.source === 'network' ? name : undefined,
    ipNetwork6: args.source === 'network' ? name : undefined,
    ipInterface: args.source === 'interface' ? name : undefined,
    ipUrls: base?.ipUrls ?? [],
    ipScript: base?.ipScript,
    ipDns: base?.ipDns ?? [],
    ipv6: { mode: 'auto' },
    allowPrivate: base?.allowPrivate ?? false,
    forceIntervalMs: 0,
    retryIntervalMs: 60_000,
    retryMaxCount: 0,
    checkIntervalMs: 600_000,
    verify: false,
    providerOptions: {},
    fingerprint: '',
  };
}
