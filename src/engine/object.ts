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
  testNotify(name: string): Promise<unknown>;
}

/**
 * The `update` reply: services triggered; services left alone because every record is
 * blocked; triggered services held by a provider's wait until `until` (Unix seconds); for a
 * forced update, what forcing risks with each service's provider.
 */
export interface UpdateReply {
  queued: string[];
  blocked: string[];
  waiting: { service: string; until: number }[];
  warnings: { service: string; message: string }[];
}

/** netifd's hotplug actions, and mwan3track's (openwrt/packages net/mwan3 usr/sbin/mwan3track). */
export const NOTIFY_ACTIONS = ['ifup', 'ifupdate', 'ifdown', 'connected', 'disconnected'];

export function invalid(message: string): UbusError {
  return new UbusError(UbusStatus.INVALID_ARGUMENT, message);
}

export function notFound(message: string): UbusError {
  return new UbusError(UbusStatus.NOT_FOUND, message);
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Longest names a caller may send. A Linux device name fits IFNAMSIZ (16 bytes with its NUL);
 * a netifd interface is a UCI section name, which LuCI keeps to 15 characters and netifd
 * lengthens by a suffix for dynamic ones (`wan_6`): 64 leaves room for both. Anything longer
 * names nothing on a router, and would only grow log lines and replies.
 */
export const MAX_DEVICE = 15;
export const MAX_INTERFACE = 64;

/** A name argument within its limit (status 2 beyond it), or undefined when absent or empty. */
function name(a: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = str(a[key]);
  if (v !== undefined && Buffer.byteLength(v) > max) throw invalid(`${key} is longer than ${max} bytes: no ${key === 'device' ? 'network device' : 'netifd interface'} has such a name`);
  return v;
}
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
      args: { service: 'string', notify: 'string' },
      handler: (a) => {
        const service = str(a.service);
        const notify = str(a.notify);
        if (service && notify) throw invalid('test takes a service or a notify section, not both');
        if (notify) return api.testNotify(notify);
        if (!service) throw invalid('test needs a service or a notify section');
        return api.test(service);
      },
    },
  };
}

function notify(api: DaemonApi, a: Record<string, unknown>): Record<string, unknown> {
  const iface = name(a, 'interface', MAX_INTERFACE);
  const action = str(a.action);
  if (!iface || !action || !NOTIFY_ACTIONS.includes(action)) throw invalid(`notify needs interface and action (${NOTIFY_ACTIONS.join(', ')})`);
  api.notify(iface, action, name(a, 'device', MAX_DEVICE));
  return {};
}

/** A service (all or one family), or a source named by itself (`source`, or just `interface` for netifd). */
function detectArgs(a: Record<string, unknown>): { service?: string; family?: Family; adhoc?: AdhocDetect } {
  const raw = int(a.family);
  if (raw !== undefined && raw !== 4 && raw !== 6) throw invalid('family must be 4 or 6');
  const family = raw as Family | undefined;
  const source = str(a.source) ?? (str(a.interface) ? 'network' : undefined);
  if (source === undefined) return { service: str(a.service), family };
  if (!isSourceKind(source)) throw invalid(`unknown source '${source.slice(0, 40)}' (network, interface, web, dns, script)`);
  // Source `interface` names a Linux device; the others a netifd interface.
  return { adhoc: { source, interface: name(a, 'interface', source === 'interface' ? MAX_DEVICE : MAX_INTERFACE), family } };
}
