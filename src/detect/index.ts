import type { NetworkInterfaceInfo } from 'node:os';
import type { ServiceConfig } from '../config/types';
import { query } from '../net/dns/query';
import { request } from '../net/http';
import type { Clock } from '../util/clock';
import { dnsSource, type QueryFn, type Resolver } from './dns';
import { interfaceSource, readIfInet6 } from './interface';
import { networkSource, type UbusCall } from './network';
import { scriptSource } from './script';
import { failed } from './select';
import type { Detection, Family, Source } from './types';
import { webSource, type RequestFn } from './web';

/** Everything a source may need from outside; tests replace any of it. */
export interface SourceDeps {
  /** `UbusClient.call` (source network). Absent without a daemon (`update --once`). */
  call?: UbusCall;
  /** Default: net/http `request`. */
  request?: RequestFn;
  /** Default: net/dns `query`. */
  query?: QueryFn;
  /** Timeouts of scripts and DNS queries (tests pass a FakeClock). */
  clock?: Clock;
  /** Default /proc/net/if_inet6. */
  ifInet6Path?: string;
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Replace built-in DNS resolvers by name (`opendns`, `cloudflare`). */
  dnsResolvers?: Record<string, Resolver>;
}

/** A source that can only say why it cannot work (a missing option, no ubus). */
function unavailable(kind: Source['kind'], why: string): Source {
  return {
    kind,
    signalsChanges: kind === 'network',
    detect: async (family: Family): Promise<Detection> => failed(family, why),
  };
}

/**
 * `ip6_mode prefix` builds an address from netifd's delegated prefix or a device's prefix;
 * web, dns and script sources see one address and no prefix, so they cannot honour it.
 */
function noPrefixMode(source: Source): Source {
  return {
    ...source,
    detect: (family, ctx) => family === 6
      ? Promise.resolve(failed(6, `ip6_mode prefix needs ip_source network or interface: the ${source.kind} source sees no delegated prefix`))
      : source.detect(family, ctx),
  };
}

/** The Source a service's configuration asks for. */
export function createSource(service: ServiceConfig, deps: SourceDeps = {}): Source {
  const { allowPrivate, ipv6 } = service;
  const s = buildSource(service, deps, allowPrivate);
  return ipv6.mode === 'prefix' && ['web', 'dns', 'script'].includes(s.kind) ? noPrefixMode(s) : s;
}

function buildSource(service: ServiceConfig, deps: SourceDeps, allowPrivate: boolean): Source {
  switch (service.source) {
    case 'network': {
      if (!deps.call) {
        return unavailable('network', 'ip_source network needs the running daemon (netifd over ubus); without it use interface, web, dns or script');
      }
      const network = service.ipNetwork ?? service.interface;
      const network6 = service.ipNetwork6 ?? service.interface6 ?? network;
      return networkSource({ network, network6, allowPrivate, ipv6: service.ipv6 },
        { call: deps.call, kernelAddresses: () => readIfInet6(deps.ifInet6Path) });
    }
    case 'interface':
      if (!service.ipInterface) return unavailable('interface', 'ip_source interface needs ip_interface: the Linux device to read (e.g. eth1, pppoe-wan)');
      return interfaceSource({ device: service.ipInterface, allowPrivate, ipv6: service.ipv6 },
        { ifInet6Path: deps.ifInet6Path, networkInterfaces: deps.networkInterfaces });
    case 'web':
      return webSource({ urls: service.ipUrls, regex: service.ipRegex, allowPrivate, proxy: service.proxy },
        { request: deps.request ?? request });
    case 'dns':
      return dnsSource({ entries: service.ipDns, allowPrivate, resolvers: deps.dnsResolvers },
        { query: deps.query ?? query, clock: deps.clock });
    case 'script':
      return scriptSource({ argv: service.ipScript ?? [], allowPrivate }, { clock: deps.clock });
    default:
      return unavailable('network', `unknown ip_source '${String(service.source)}' (network, interface, web, dns, script)`);
  }
}

export type { Resolver, QueryFn } from './dns';
export type { UbusCall } from './network';
export type { RequestFn } from './web';
