import { errorText } from '../util/error-text';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

/**
 * The part of the ubus client the engine uses. UbusClient has this shape; tests may pass it
 * directly (against the test broker) or a fake.
 */
export interface Handle {
  remove(): Promise<void>;
}

/** The argument types the ubus object server checks before a handler runs. */
export type ArgType = 'string' | 'bool' | 'int32' | 'table' | 'array';

/** One method of an object the engine publishes: its arguments and what it answers. */
export interface MethodDef {
  args?: Record<string, ArgType>;
  handler(args: Record<string, unknown>): unknown | Promise<unknown>;
}

export type EventFn = (type: string, data: Record<string, unknown>) => void;

export interface EngineBus {
  call(object: string, method: string, args?: Record<string, unknown>, opts?: { timeoutMs?: number }): Promise<Record<string, unknown> | undefined>;
  addObject(name: string, methods: Record<string, MethodDef>): Promise<Handle>;
  listen(pattern: string, fn: EventFn): Promise<Handle>;
  subscribe(path: string, fn: EventFn): Promise<Handle>;
  /** Send a ubus event (`ubus send TYPE DATA`). */
  send?(type: string, data: Record<string, unknown>): Promise<void>;
  close(): void;
}

/** Keep trying to reach ubusd (it may start after us), backing off to 10 s; `stopped` ends the wait. */
export async function connectWithRetry(
  connect: () => Promise<EngineBus>,
  clock: Clock,
  log: Logger,
  stopped: () => boolean,
): Promise<EngineBus | undefined> {
  let delay = 250;
  let lastError = '';
  while (!stopped()) {
    try {
      return await connect();
    } catch (err) {
      const text = errorText(err);
      if (text !== lastError) log.warn(`ubus is not reachable (${text}); retrying until it is`);
      lastError = text;
    }
    await new Promise<void>((resolve) => clock.after(delay, resolve));
    delay = Math.min(delay * 2, 10_000);
  }
  return undefined;
}

export type InterfaceEventFn = (iface: string, action: string, origin: string) => void;

/** netifd notification type → the hotplug action it stands for. */
const NETIFD_ACTION: Record<string, string> = { 'interface.update': 'ifupdate', 'interface.down': 'ifdown' };

/**
 * Follow netifd: subscribe to `network.interface` notifications (interface.update /
 * interface.down carry the interface name). When netifd is not on the bus yet, subscribe as
 * soon as `ubus.object.add` announces it; once subscribed, the ubus client follows the
 * object across netifd restarts and reconnects by itself. The `network.interface` event
 * (ifup/ifdown) is a second path that costs nothing: the scheduler folds duplicates.
 */
export async function watchNetifd(bus: EngineBus, log: Logger, onEvent: InterfaceEventFn): Promise<Handle> {
  let sub: Handle | undefined;
  let trying = false;
  const subscribe = async () => {
    if (sub || trying) return;
    trying = true;
    try {
      sub = await bus.subscribe('network.interface', (type, data) => {
        const action = NETIFD_ACTION[type];
        if (action && typeof data.interface === 'string') onEvent(data.interface, action, 'netifd');
      });
      log.debug('subscribed to network.interface');
    } catch (err) {
      log.debug(`network.interface not available yet (${errorText(err)}); waiting for netifd`);
    } finally {
      trying = false;
    }
  };
  const added = await bus.listen('ubus.object.add', (_type, data) => {
    if (data.path === 'network.interface') void subscribe();
  });
  const events = await bus.listen('network.interface', (_type, data) => {
    if (typeof data.interface === 'string' && typeof data.action === 'string') onEvent(data.interface, data.action, 'event');
  });
  await subscribe();
  return {
    remove: async () => {
      await Promise.allSettled([added.remove(), events.remove(), sub?.remove()]);
    },
  };
}
