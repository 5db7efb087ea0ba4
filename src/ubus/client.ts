/**
 * A ubus client over ubusd's unix socket: calls, lookups, objects, events, subscriptions,
 * and reconnection. After ubusd goes away, pending requests fail with CONNECTION_FAILED;
 * with `reconnect` the client retries with backoff and then re-adds its objects, event
 * listeners and subscriptions by itself (all ids change).
 */
import { existsSync } from 'node:fs';
import { systemClock, type Clock, type Timer } from '../util/clock';
import { nullLogger, type Logger } from '../util/log';
import { Backoff, type BackoffOptions } from './backoff';
import { BlobmsgTypeId, Attr, DEFAULT_SOCKET_PATH, LEGACY_SOCKET_PATH, MsgType, SYSTEM_OBJECT_EVENT } from './constants';
import { Connection } from './connection';
import type { BusCore, Removable } from './core';
import { addListener, eventCall, sendBody, type ListenerRecord } from './events';
import { EncodeError, UbusError } from './errors';
import { blobmsgToTable, setOwn, tableToBlobmsg } from './json';
import { at, attrBlobmsg, attrNumber, attrString, type MsgAttr, type UbusMessage } from './message';
import { ObjectServer, signatureOf, type LocalObject, type UbusMethod } from './objects';
import { RequestTable } from './requests';
import { UbusStatus } from './status';
import { Subscriptions } from './subscriptions';
import type { BlobmsgNode } from './blobmsg';

export type { Removable } from './core';

export interface ConnectOptions {
  /** Default /var/run/ubus/ubus.sock (or /var/run/ubus.sock when only that exists). */
  socketPath?: string;
  /** Reconnect after losing ubusd (default false). */
  reconnect?: boolean;
  log?: Logger;
  clock?: Clock;
  /** Timeout of each request unless the call gives one (default 30 s, as the ubus CLI). */
  timeoutMs?: number;
  backoff?: BackoffOptions;
}

export interface LookupResult {
  path: string;
  id: number;
  typeId: number;
  signature: Record<string, Record<string, number>>;
}

export interface ObjectHandle {
  readonly id: number;
  /** Whether some client subscribes to this object (ubusd tells us). */
  readonly hasSubscribers: boolean;
  remove(): Promise<void>;
  /** Sends notification `type` to the object's subscribers (fire and forget, NO_REPLY). */
  notify(type: string, data?: Record<string, unknown>): Promise<void>;
}

type EventName = 'connected' | 'disconnected';
type Table = Record<string, unknown>;

interface ObjectRecord { name: string; local: LocalObject & { kind: 'methods' } }

export class UbusClient {
  readonly #path: string | undefined;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #reconnect: boolean;
  readonly #backoff: Backoff;
  readonly #requests: RequestTable;
  readonly #server: ObjectServer;
  readonly #objects = new Set<ObjectRecord>();
  readonly #listeners = new Set<ListenerRecord>();
  readonly #subs: Subscriptions;
  readonly #events = new Map<EventName, Set<() => void>>();
  #conn: Connection | undefined;
  #closed = false;
  #retry: Timer | undefined;

  private constructor(opts: ConnectOptions) {
    this.#path = opts.socketPath;
    this.#log = opts.log ?? nullLogger;
    this.#clock = opts.clock ?? systemClock;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#reconnect = opts.reconnect ?? false;
    this.#backoff = new Backoff(opts.backoff);
    this.#requests = new RequestTable(this.#clock);
    this.#server = new ObjectServer(this.#log);
    this.#subs = new Subscriptions(this.#core());
  }

  /** The narrow view of this client that events.ts and subscriptions.ts work through. */
  #core(): BusCore {
    const self = this;
    return {
      get connected() { return self.connected; },
      log: this.#log,
      request: (...a) => this.#request(...a),
      newObject: (attrs, local, label) => this.#newObject(attrs, local, label),
      removeLocal: (local) => this.#removeLocal(local),
      resolve: (path, label) => this.#resolve(path, label, undefined),
      listen: (pattern, fn) => this.listen(pattern, fn),
    };
  }

  /** Connects and waits for HELLO; rejects with CONNECTION_FAILED when ubusd is not there. */
  static async connect(opts: ConnectOptions = {}): Promise<UbusClient> {
    const c = new UbusClient(opts);
    await c.#open();
    return c;
  }

  /** Our client id on the bus (0 while disconnected). */
  get clientId(): number {
    return this.#conn && !this.#conn.closed ? this.#conn.clientId : 0;
  }

  get connected(): boolean {
    return this.clientId !== 0;
  }

  on(event: EventName, fn: () => void): this {
    let set = this.#events.get(event);
    if (!set) this.#events.set(event, (set = new Set()));
    set.add(fn);
    return this;
  }

  close(): void {
    this.#closed = true;
    this.#retry?.cancel();
    this.#conn?.close();
  }

  // ---- requests ---------------------------------------------------------------------------

  ping(): Promise<void> {
    return this.#request(MsgType.PING, 0, [], 'ubus ping').then(() => undefined);
  }

  /** All objects, one path, or a prefix (`network.interface*`), with their signatures. */
  async lookup(path?: string, opts: { timeoutMs?: number } = {}): Promise<LookupResult[]> {
    const attrs = path === undefined ? [] : [at.str(Attr.OBJPATH, path)];
    const data = await this.#request(MsgType.LOOKUP, 0, attrs, `ubus lookup ${path ?? '*'}`, opts.timeoutMs);
    return data.flatMap((m) => {
      const p = attrString(m, Attr.OBJPATH);
      const id = attrNumber(m, Attr.OBJID);
      if (p === undefined || id === undefined) return [];
      return [{ path: p, id, typeId: attrNumber(m, Attr.OBJTYPE) ?? 0, signature: signatureTable(attrBlobmsg(m, Attr.SIGNATURE) ?? []) }];
    });
  }

  /** Looks `object` up and invokes `method`; resolves to the reply table (DATA tables merged). */
  async call(object: string, method: string, args: Table = {}, opts: { timeoutMs?: number } = {}): Promise<Table | undefined> {
    const label = `ubus call ${object} ${method}`;
    const id = await this.#resolve(object, label, opts.timeoutMs);
    const body = encodeArgs(args, label);
    const data = await this.#request(MsgType.INVOKE, id, [at.u32(Attr.OBJID, id), at.str(Attr.METHOD, method), at.blobmsg(Attr.DATA, body)], label, opts.timeoutMs);
    const tables = data.map((m) => attrBlobmsg(m, Attr.DATA)).filter((d): d is BlobmsgNode[] => d !== undefined);
    return tables.length === 0 ? undefined : Object.assign({}, ...tables.map(blobmsgToTable));
  }

  /** Sends event `type` to every listener whose pattern matches (not to ourselves). */
  async send(type: string, data: Table = {}): Promise<void> {
    const label = `ubus send ${type}`;
    await this.#request(MsgType.INVOKE, SYSTEM_OBJECT_EVENT, eventCall('send', sendBody(type, encodeArgs(data, label))), label);
  }

  async #resolve(object: string, label: string, timeoutMs: number | undefined): Promise<number> {
    let found: LookupResult[];
    try {
      found = await this.lookup(object, { timeoutMs });
    } catch (e) {
      if (e instanceof UbusError && e.status === UbusStatus.NOT_FOUND) throw new UbusError(UbusStatus.NOT_FOUND, `${label}: no object '${object}' on the bus (NOT_FOUND)`);
      throw e;
    }
    const hit = found.find((r) => r.path === object) ?? found[0];
    if (!hit) throw new UbusError(UbusStatus.NOT_FOUND, `${label}: no object '${object}' on the bus (NOT_FOUND)`);
    return hit.id;
  }

  #request(type: number, peer: number, attrs: MsgAttr[], label: string, timeoutMs?: number, onData?: (m: UbusMessage) => void): Promise<UbusMessage[]> {
    const conn = this.#conn;
    if (!conn || conn.closed) return Promise.reject(new UbusError(UbusStatus.CONNECTION_FAILED, `${label}: not connected to ubus (CONNECTION_FAILED)`));
    const seq = this.#requests.nextSeq();
    const done = this.#requests.add(seq, peer, label, timeoutMs ?? this.#timeoutMs, onData);
    try {
      conn.send({ type, seq, peer, attrs });
    } catch (e) {
      this.#requests.drop(seq, peer);
      return Promise.reject(asUbusError(e, label));
    }
    return done;
  }

  // ---- objects ----------------------------------------------------------------------------

  /**
   * Publishes object `name`; its methods answer calls from other clients. `onSubscribers`
   * hears ubusd say whether the object has subscribers (first arrived / last left).
   */
  async addObject(name: string, methods: Record<string, UbusMethod>, opts: { onSubscribers?: (active: boolean) => void } = {}): Promise<ObjectHandle> {
    if (!name) throw new UbusError(UbusStatus.INVALID_ARGUMENT, 'ubus add object: the name is empty (INVALID_ARGUMENT)');
    const rec: ObjectRecord = { name, local: { kind: 'methods', id: 0, name, methods, hasSubscribers: false, onSubscribers: opts.onSubscribers } };
    await this.#addObject(rec);
    this.#objects.add(rec);
    return {
      get id() { return rec.local.id; },
      get hasSubscribers() { return rec.local.hasSubscribers; },
      remove: async () => {
        this.#objects.delete(rec);
        await this.#removeLocal(rec.local);
      },
      notify: (type, data = {}) => this.#notify(rec, type, data),
    };
  }

  async #addObject(rec: ObjectRecord): Promise<void> {
    const sig = signatureOf(rec.local.methods);
    await this.#newObject([at.str(Attr.OBJPATH, rec.name), at.blobmsg(Attr.SIGNATURE, sig)], rec.local, `ubus add object ${rec.name}`);
  }

  /** ADD_OBJECT; the local object is registered as soon as its id arrives, before STATUS. */
  async #newObject(attrs: MsgAttr[], local: LocalObject, label: string): Promise<void> {
    local.id = 0;
    await this.#request(MsgType.ADD_OBJECT, 0, attrs, label, undefined, (m) => {
      const id = attrNumber(m, Attr.OBJID);
      if (id === undefined) return;
      local.id = id;
      this.#server.register(local);
    });
    if (local.id === 0) throw new UbusError(UbusStatus.NO_DATA, `${label}: ubusd sent no object id (NO_DATA)`);
  }

  async #removeLocal(local: LocalObject): Promise<void> {
    const id = local.id;
    this.#server.unregister(local);
    local.id = 0;
    if (id === 0 || !this.connected) return;
    await this.#request(MsgType.REMOVE_OBJECT, 0, [at.u32(Attr.OBJID, id)], 'ubus remove object');
  }

  async #notify(rec: ObjectRecord, type: string, data: Table): Promise<void> {
    const label = `ubus notify ${rec.name} ${type}`;
    const conn = this.#conn;
    const id = rec.local.id;
    if (!conn || conn.closed || id === 0) throw new UbusError(UbusStatus.CONNECTION_FAILED, `${label}: not connected to ubus (CONNECTION_FAILED)`);
    const attrs = [at.u32(Attr.OBJID, id), at.str(Attr.METHOD, type), at.blobmsg(Attr.DATA, encodeArgs(data, label)), at.u8(Attr.NO_REPLY, 1)];
    try {
      conn.send({ type: MsgType.NOTIFY, seq: this.#requests.nextSeq(), peer: id, attrs });
    } catch (e) {
      throw asUbusError(e, label);
    }
  }

  // ---- events and subscriptions -----------------------------------------------------------

  /** Receives events whose name matches `pattern` (`*` alone, or a trailing `*` for a prefix). */
  async listen(pattern: string | string[], onEvent: (type: string, data: Table) => void): Promise<Removable> {
    const rec: ListenerRecord = { patterns: typeof pattern === 'string' ? [pattern] : [...pattern], local: { kind: 'listener', id: 0, onEvent } };
    await addListener(this.#core(), rec);
    this.#listeners.add(rec);
    return {
      remove: async () => {
        this.#listeners.delete(rec);
        await this.#removeLocal(rec.local);
      },
    };
  }

  /**
   * Receives the notifications of object `path`. Rejects with NOT_FOUND when it does not
   * exist; once subscribed, the subscription follows the object when it goes away and comes
   * back (netifd restarting) and across reconnects.
   */
  subscribe(path: string, onNotify: (type: string, data: Table) => void): Promise<Removable> {
    return this.#subs.add(path, onNotify);
  }

  // ---- connection life --------------------------------------------------------------------

  async #open(): Promise<void> {
    const conn = await Connection.open(this.#path ?? defaultSocketPath(), this.#log, this.#clock);
    this.#conn = conn;
    conn.start({
      message: (m) => this.#onMessage(conn, m),
      malformed: (h) => this.#requests.markMalformed(h.seq, h.peer, h.type),
      closed: (why) => this.#onClosed(conn, why),
    });
  }

  #onMessage(conn: Connection, msg: UbusMessage): void {
    switch (msg.type) {
      case MsgType.DATA:
      case MsgType.STATUS:
        this.#requests.handle(msg);
        break;
      case MsgType.INVOKE:
      case MsgType.NOTIFY:
      case MsgType.UNSUBSCRIBE:
        this.#server.handle(msg, (reply) => {
          if (conn.closed) return false; // the caller's ids died with that connection
          try {
            conn.send(reply);
            return true;
          } catch (e) {
            this.#log.error(`cannot send a ubus reply: ${(e as Error).message}`);
            return false;
          }
        });
        break;
      default:
        break; // HELLO again, MONITOR, types from the future: nothing to do
    }
  }

  #onClosed(conn: Connection, why: string): void {
    if (conn !== this.#conn) return;
    this.#conn = undefined;
    this.#server.clear();
    for (const rec of [...this.#objects, ...this.#listeners]) rec.local.id = 0;
    this.#subs.forgetIds();
    this.#requests.failAll(UbusStatus.CONNECTION_FAILED, `connection to ubus lost (${why})`);
    if (this.#closed) return;
    this.#log.warn(`lost the ubus connection: ${why}`);
    this.#emit('disconnected');
    if (this.#reconnect) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const ms = this.#backoff.next();
    this.#log.debug(`reconnecting to ubus in ${ms} ms`);
    this.#retry = this.#clock.after(ms, () => void this.#tryReconnect());
  }

  async #tryReconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#open();
    } catch (e) {
      this.#log.debug((e as Error).message);
      if (!this.#closed) this.#scheduleReconnect();
      return;
    }
    if (this.#closed) return this.#conn?.close();
    this.#backoff.reset();
    const conn = this.#conn;
    if (!conn) return;
    await this.#restore();
    if (conn !== this.#conn || conn.closed) return;
    this.#log.info(`reconnected to ubus as client ${conn.clientId.toString(16).padStart(8, '0')}`);
    this.#emit('connected');
  }

  /** Re-adds objects, listeners and subscriptions on a fresh connection. */
  async #restore(): Promise<void> {
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (e) {
        if (this.connected) this.#log.error(`could not restore ${what} after reconnecting: ${(e as Error).message}`);
      }
    };
    for (const rec of this.#objects) await attempt(`ubus object ${rec.name}`, () => this.#addObject(rec));
    for (const rec of this.#listeners) await attempt(`event listener ${rec.patterns.join(' ')}`, () => addListener(this.#core(), rec));
    await this.#subs.restore(attempt);
  }

  #emit(event: EventName): void {
    for (const fn of this.#events.get(event) ?? []) {
      try {
        fn();
      } catch (e) {
        this.#log.error(`ubus '${event}' listener failed: ${(e as Error).message}`);
      }
    }
  }
}

/** The default socket, or the pre-21.02 one when only that exists. */
function defaultSocketPath(): string {
  return existsSync(DEFAULT_SOCKET_PATH) || !existsSync(LEGACY_SOCKET_PATH) ? DEFAULT_SOCKET_PATH : LEGACY_SOCKET_PATH;
}

function encodeArgs(args: Table, label: string): BlobmsgNode[] {
  try {
    return tableToBlobmsg(args);
  } catch (e) {
    throw asUbusError(e, label);
  }
}

function asUbusError(e: unknown, label: string): UbusError {
  if (e instanceof UbusError) return e;
  if (e instanceof EncodeError) return new UbusError(UbusStatus.INVALID_ARGUMENT, `${label}: ${e.message} (INVALID_ARGUMENT)`);
  return new UbusError(UbusStatus.UNKNOWN_ERROR, `${label}: ${(e as Error)?.message ?? String(e)} (UNKNOWN_ERROR)`);
}

/** SIGNATURE → { method: { arg: blobmsg type number } }. */
function signatureTable(nodes: BlobmsgNode[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const m of nodes) {
    if (m.type !== BlobmsgTypeId.TABLE) continue;
    const args: Record<string, number> = {};
    for (const a of m.children) if (a.type === BlobmsgTypeId.INT32) setOwn(args, a.name, a.value);
    setOwn(out, m.name, args);
  }
  return out;
}
