import type { EngineBus, EventFn, Handle } from '../../src/engine/bus';
import type { MethodDef } from '../../src/engine/bus';
import { UbusError } from '../../src/ubus/errors';
import { UbusStatus } from '../../src/ubus/status';

/**
 * An in-memory stand-in for the ubus client, for unit tests of the daemon's wiring. It
 * serves `network.interface.<name> status` from `netifd`, and counts what the daemon does.
 * The integration tests use the real client and the test broker instead.
 */
export class FakeBus implements EngineBus {
  objects = new Map<string, Record<string, MethodDef>>();
  listeners: { pattern: string; fn: EventFn }[] = [];
  subscribers = new Map<string, EventFn[]>();
  netifd = new Map<string, Record<string, unknown>>();
  netifdPresent = true;
  closed = false;
  calls: string[] = [];
  /** Events the daemon sent (`ubus send`). */
  sent: { type: string; data: Record<string, unknown> }[] = [];

  async call(object: string, method: string): Promise<Record<string, unknown> | undefined> {
    this.calls.push(`${object} ${method}`);
    const m = /^network\.interface\.(.+)$/.exec(object);
    const st = m ? this.netifd.get(m[1]) : undefined;
    if (!st || method !== 'status') throw new UbusError(UbusStatus.NOT_FOUND);
    return st;
  }

  async addObject(name: string, methods: Record<string, MethodDef>): Promise<Handle> {
    this.objects.set(name, methods);
    return { remove: async () => void this.objects.delete(name) };
  }

  async listen(pattern: string, fn: EventFn): Promise<Handle> {
    const l = { pattern, fn };
    this.listeners.push(l);
    return { remove: async () => void (this.listeners = this.listeners.filter((x) => x !== l)) };
  }

  async subscribe(path: string, fn: EventFn): Promise<Handle> {
    if (path === 'network.interface' && !this.netifdPresent) throw new UbusError(UbusStatus.NOT_FOUND);
    this.subscribers.set(path, [...(this.subscribers.get(path) ?? []), fn]);
    return { remove: async () => void this.subscribers.set(path, (this.subscribers.get(path) ?? []).filter((f) => f !== fn)) };
  }

  async send(type: string, data: Record<string, unknown>): Promise<void> {
    this.sent.push({ type, data });
  }

  close(): void {
    this.closed = true;
  }

  /** Call a method of an object the daemon added, as ubusd would route it. */
  async invoke(object: string, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const m = this.objects.get(object)?.[method];
    if (!m) throw new UbusError(UbusStatus.METHOD_NOT_FOUND);
    return m.handler(args);
  }

  /** netifd's notification to subscribers of network.interface. */
  notify(type: string, data: Record<string, unknown>): void {
    for (const fn of this.subscribers.get('network.interface') ?? []) fn(type, data);
  }

  event(type: string, data: Record<string, unknown>): void {
    for (const l of this.listeners) if (l.pattern === type) l.fn(type, data);
  }

  /** netifd's status shape for an interface with one IPv4 address. */
  setWan(address: string, name = 'wan'): void {
    this.netifd.set(name, { up: true, interface: name, l3_device: 'eth1', 'ipv4-address': [{ address, mask: 24 }], 'ipv6-address': [] });
  }
}
