/**
 * Subscriptions to other clients' objects (libubus-sub.c): an anonymous object of ours,
 * LOOKUP of the target, SUBSCRIBE {OBJID, TARGET}. When ubusd says the target went away
 * (UNSUBSCRIBE), or after a reconnect the target is not there yet, the subscription waits
 * for `ubus.object.add` of that path and attaches again.
 */
import { Attr, MsgType } from './constants';
import type { BusCore, Removable } from './core';
import { UbusError } from './errors';
import { at } from './message';
import type { LocalObject } from './objects';
import { UbusStatus } from './status';

type Table = Record<string, unknown>;

interface SubscriptionRecord {
  path: string;
  local: LocalObject & { kind: 'subscriber' };
  target: number | undefined;
  /** One attach at a time, or ubusd would count us twice. */
  attaching: boolean;
}

export class Subscriptions {
  readonly #core: BusCore;
  readonly #subs = new Set<SubscriptionRecord>();
  /** The internal `ubus.object.add` listener, created when first needed. */
  #watcher: Promise<void> | undefined;

  constructor(core: BusCore) {
    this.#core = core;
  }

  /** Subscribes now; rejects (NOT_FOUND, ...) when that fails. */
  async add(path: string, onNotify: (type: string, data: Table) => void): Promise<Removable> {
    const rec: SubscriptionRecord = { path, target: undefined, attaching: false, local: { kind: 'subscriber', id: 0, onNotify, onLost: () => this.#lost(rec) } };
    await this.#core.newObject([], rec.local, `ubus subscribe ${path}`);
    try {
      await this.#attach(rec);
    } catch (e) {
      await this.#core.removeLocal(rec.local).catch(() => {});
      throw e;
    }
    this.#subs.add(rec);
    return { remove: () => this.#remove(rec) };
  }

  async #remove(rec: SubscriptionRecord): Promise<void> {
    this.#subs.delete(rec);
    const target = rec.target;
    rec.target = undefined;
    if (target !== undefined && this.#core.connected) {
      const attrs = [at.u32(Attr.OBJID, rec.local.id), at.u32(Attr.TARGET, target)];
      await this.#core.request(MsgType.UNSUBSCRIBE, 0, attrs, `ubus unsubscribe ${rec.path}`).catch(() => {});
    }
    await this.#core.removeLocal(rec.local);
  }

  /** The connection died: every id with it. */
  forgetIds(): void {
    for (const rec of this.#subs) {
      rec.local.id = 0;
      rec.target = undefined;
    }
  }

  /** On a fresh connection: a new subscriber object each, attached now or when the target appears. */
  async restore(attempt: (what: string, fn: () => Promise<void>) => Promise<void>): Promise<void> {
    for (const rec of this.#subs) {
      await attempt(`subscription to ${rec.path}`, async () => {
        await this.#core.newObject([], rec.local, `ubus subscribe ${rec.path}`);
        await this.#attach(rec).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
          this.#lost(rec);
        });
      });
    }
  }

  async #attach(rec: SubscriptionRecord): Promise<void> {
    const label = `ubus subscribe ${rec.path}`;
    rec.attaching = true;
    try {
      const target = await this.#core.resolve(rec.path, label);
      await this.#core.request(MsgType.SUBSCRIBE, 0, [at.u32(Attr.OBJID, rec.local.id), at.u32(Attr.TARGET, target)], label);
      rec.target = target;
    } finally {
      rec.attaching = false;
    }
  }

  #lost(rec: SubscriptionRecord): void {
    rec.target = undefined;
    this.#core.log.info(`ubus object ${rec.path} went away; waiting for it to come back`);
    void this.#watch().then(() => this.#reattach(rec));
  }

  async #reattach(rec: SubscriptionRecord): Promise<void> {
    if (!this.#subs.has(rec) || rec.target !== undefined || rec.attaching || rec.local.id === 0) return;
    try {
      await this.#attach(rec);
      this.#core.log.info(`subscribed to ubus object ${rec.path} again`);
    } catch (e) {
      if (!isNotFound(e)) this.#core.log.warn((e as Error).message);
    }
  }

  #watch(): Promise<void> {
    this.#watcher ??= this.#core.listen('ubus.object.add', (_type, data) => {
      for (const rec of this.#subs) if (rec.target === undefined && data.path === rec.path) void this.#reattach(rec);
    }).then(
      () => undefined,
      (e: Error) => {
        this.#watcher = undefined;
        this.#core.log.warn(`cannot watch for ubus objects: ${e.message}`);
      },
    );
    return this.#watcher;
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof UbusError && e.status === UbusStatus.NOT_FOUND;
}
