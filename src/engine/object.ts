import { UbusError } from '../ubus/errors';
import { UbusStatus } from '../ubus/status';
import type { Family } from '../detect/types';
import type { AdhocDetect } from './detect';
import { isSourceKind } from '../config/types';
import type { MethodDef } from './bus';

/**
 * The `ddnsd` ubus object: the method table of DESIGN.md, argument checks, and the mapping
 * of engine answers to replies. Logic lives in the daemon (DaemonApi); this file only
 * translates. Unknown argument names are ignored (LuCI adds `ubus_rpc_session`); the
 * object server rejects known arguments of the wrong type with status 2.
 */

export interface DaemonApi {
  status(service?: string): unknown;
  update(service: string | undefined, force: boolean): UpdateReply;
  reload(): Promise<unknown>;
  notify(iface: string, action: string, device?: string): void;
  log(opts: { service?: string; lines?: number; after?: number }): unknown;
  providers(): unknown;
  detect(opts: { service?: string; family?: Family; adhoc?: AdhocDetect }): Promise<unknown>;
  test(service: string): Promise<unknown>;
}

/** The `update` reply: services triggered; services left alone because every record is blocked; triggered services held by a provider's wait until `until` (Unix seconds). */
export interface UpdateReply {
  queued: string[];
  blocked: string[];
  waiting: { service: string; until: number }[];
}

export const NOTIFY_ACTIONS = ['ifup', 'ifupdate', 'ifdown'];

export function invalid(message: string): UbusError {
  return new UbusError(UbusStatus.INVALID_ARGUMENT, message);
}

export function notFound(message: string): UbusError {
  return new UbusError(UbusStatus.NOT_FOUND, message);
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown) => (typeof v === 'number' ? v : undefined);

export function ddnsdMethods(api: DaemonApi): Record<string, MethodDef> {
  return {
    status: { args: { service: 'string' }, handler: (a) => api.status(str(a.service)) },
    update: {
      args: { service: 'string', force: 'bool' },
      handler: (a) => api.update(str(a.service), a.force === true),
    },
    reload: { args: {}, handler: () => api.reload() },
    notify: { args: { interface: 'string', action: 'string', device: 'string' }, handler: (a) => notify(api, a) },
    log: {
      args: { service: 'string', lines: 'int32', after: 'int32' },
      handler: (a) => api.log({ service: str(a.service), lines: int(a.lines), after: int(a.after) }),
    },
    providers: { args: {}, handler: () => api.providers() },
    detect: {
      args: { service: 'string', source: 'string', interface: 'string', family: 'int32' },
      handler: (a) => api.detect(detectArgs(a)),
    },
    test: {
      args: { service: 'string' },
      handler: (a) => {
        const service = str(a.service);
        if (!service) throw invalid('test needs a service');
        return api.test(service);
      },
    },
  };
}

function notify(api: DaemonApi, a: Record<string, unknown>): Record<string, unknown> {
  const iface = str(a.interface);
  const action = str(a.action);
  if (!iface || !action || !NOTIFY_ACTIONS.includes(action)) throw invalid('notify needs interface and action (ifup, ifupdate, ifdown)');
  api.notify(iface, action, str(a.device));
  return {};
}

/** A service (all or one family), or a source named by itself (`source`, or just `interface` for netifd). */
function detectArgs(a: Record<string, unknown>): { service?: string; family?: Family; adhoc?: AdhocDetect } {
  const raw = int(a.family);
  if (raw !== undefined && raw !== 4 && raw !== 6) throw invalid('family must be 4 or 6');
  const family = raw as Family | undefined;
  const source = str(a.source) ?? (str(a.interface) ? 'network' : undefined);
  if (source === undefined) return { service: str(a.service), family };
  if (!isSourceKind(source)) throw invalid(`unknown source '${source}' (network, interface, web, dns, script)`);
  return { adhoc: { source, interface: str(a.interface), family } };
}
