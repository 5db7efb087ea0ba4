/**
 * The object server: our objects on the bus and how INVOKE, NOTIFY and UNSUBSCRIBE sent to
 * them are answered, following libubus's ubus_process_invoke: unknown object → 4, no method
 * name → 2, unknown method → 3, no DATA → 2, then the handler; replies are DATA {OBJID,
 * DATA} and STATUS {STATUS, OBJID} echoing the request's seq and peer, nothing at all when
 * the request says NO_REPLY.
 */
import type { Logger } from '../util/log';
import { PLAIN, type BlobmsgNode } from './blobmsg';
import { Attr, BlobmsgTypeId, MsgType } from './constants';
import { UbusError } from './errors';
import { BLOBMSG_TYPE_IDS, blobmsgToTable, nodeTypeName, setOwn, tableToBlobmsg, type BlobmsgType } from './json';
import { at, attrBlobmsg, attrNumber, attrString, type UbusMessage } from './message';
import { UbusStatus } from './status';

export interface InvokeContext {
  object: string;
  method: string;
  /** The caller's client id (ubusd puts it in the header peer). */
  peer: number;
  user?: string;
  group?: string;
}

export interface UbusMethod {
  /** Argument names and types; becomes the method's signature. */
  args?: Record<string, BlobmsgType>;
  /** Returns the reply table, or undefined for no DATA; throw UbusError for a status. */
  handler(args: Record<string, unknown>, ctx: InvokeContext): unknown | Promise<unknown>;
}

export type LocalObject =
  | { kind: 'methods'; id: number; name: string; methods: Record<string, UbusMethod>; hasSubscribers: boolean; onSubscribers?: (active: boolean) => void }
  | { kind: 'listener'; id: number; onEvent(type: string, data: Record<string, unknown>): void }
  | { kind: 'subscriber'; id: number; onNotify(type: string, data: Record<string, unknown>): void; onLost(target: number): void };

/** Writes a reply; false when it could not be sent (too large, connection gone). */
type Reply = (msg: UbusMessage) => boolean;

/** The SIGNATURE attribute body: one TABLE per method, its args as INT32 type numbers. */
export function signatureOf(methods: Record<string, UbusMethod>): BlobmsgNode[] {
  return Object.entries(methods).map(([name, m]) => ({
    type: BlobmsgTypeId.TABLE,
    name,
    children: Object.entries(m.args ?? {}).map(([arg, t]) => ({ type: BlobmsgTypeId.INT32, name: arg, value: BLOBMSG_TYPE_IDS[t] })),
  }));
}

export class ObjectServer {
  readonly #log: Logger;
  readonly #objects = new Map<number, LocalObject>();

  constructor(log: Logger) {
    this.#log = log;
  }

  register(obj: LocalObject): void {
    this.#objects.set(obj.id, obj);
  }

  unregister(obj: LocalObject): void {
    if (this.#objects.get(obj.id) === obj) this.#objects.delete(obj.id);
  }

  /** Forget every id (they die with the connection). */
  clear(): void {
    this.#objects.clear();
  }

  /** Handles INVOKE, NOTIFY and UNSUBSCRIBE; `reply` writes on the connection they came from. */
  handle(msg: UbusMessage, reply: Reply): void {
    const id = attrNumber(msg, Attr.OBJID);
    if (id === undefined) return; // libubus ignores object messages without OBJID
    const obj = this.#objects.get(id);
    if (msg.type === MsgType.INVOKE) this.#invoke(msg, id, obj, reply);
    else if (msg.type === MsgType.NOTIFY && obj?.kind === 'methods') this.#active(msg, obj);
    else if (msg.type === MsgType.UNSUBSCRIBE && obj?.kind === 'subscriber') {
      const target = attrNumber(msg, Attr.TARGET);
      if (target !== undefined) obj.onLost(target);
    }
  }

  #active(msg: UbusMessage, obj: LocalObject & { kind: 'methods' }): void {
    const active = attrNumber(msg, Attr.ACTIVE);
    if (active === undefined) return;
    obj.hasSubscribers = active !== 0;
    try {
      obj.onSubscribers?.(obj.hasSubscribers);
    } catch (e) {
      this.#log.error(`subscriber callback of ubus object ${obj.name} failed: ${(e as Error).message}`);
    }
  }

  #invoke(msg: UbusMessage, id: number, obj: LocalObject | undefined, reply: Reply): void {
    const noReply = (attrNumber(msg, Attr.NO_REPLY) ?? 0) !== 0;
    const send: Reply = noReply ? () => true : reply;
    const status = (s: number) => void send({ type: MsgType.STATUS, seq: msg.seq, peer: msg.peer, attrs: [at.i32(Attr.STATUS, s), at.u32(Attr.OBJID, id)] });
    if (!obj) return status(UbusStatus.NOT_FOUND);
    const method = attrString(msg, Attr.METHOD);
    if (method === undefined) return status(UbusStatus.INVALID_ARGUMENT);
    const data = attrBlobmsg(msg, Attr.DATA);
    if (obj.kind !== 'methods') {
      if (!data) return status(UbusStatus.INVALID_ARGUMENT);
      this.#deliver(obj, method, data);
      return status(UbusStatus.OK);
    }
    const m = Object.prototype.hasOwnProperty.call(obj.methods, method) ? obj.methods[method] : undefined;
    if (!m) return status(UbusStatus.METHOD_NOT_FOUND);
    if (!data) return status(UbusStatus.INVALID_ARGUMENT);
    const args = checkArgs(m, data);
    if (typeof args === 'string') {
      this.#log.debug(`ubus ${obj.name}.${method}: ${args}`);
      return status(UbusStatus.INVALID_ARGUMENT);
    }
    const ctx: InvokeContext = { object: obj.name, method, peer: msg.peer, user: attrString(msg, Attr.USER), group: attrString(msg, Attr.GROUP) };
    void this.#run(m, args, ctx).then((result) => {
      const data: UbusMessage = { type: MsgType.DATA, seq: msg.seq, peer: msg.peer, attrs: [at.u32(Attr.OBJID, id), at.blobmsg(Attr.DATA, result.data ?? [])] };
      status(result.data && !send(data) ? UbusStatus.UNKNOWN_ERROR : result.status);
    });
  }

  /** Runs a handler; never rejects. */
  async #run(m: UbusMethod, args: Record<string, unknown>, ctx: InvokeContext): Promise<{ status: number; data?: BlobmsgNode[] }> {
    const where = `ubus method ${ctx.object}.${ctx.method}`;
    try {
      const result = await m.handler(args, ctx);
      if (result === undefined || result === null) return { status: UbusStatus.OK };
      if (typeof result !== 'object' || Array.isArray(result)) throw new Error(`returned ${Array.isArray(result) ? 'an array' : typeof result}, not a table`);
      return { status: UbusStatus.OK, data: tableToBlobmsg(result as Record<string, unknown>) };
    } catch (e) {
      if (e instanceof UbusError) return { status: e.status };
      this.#log.error(`${where} failed: ${(e as Error)?.message ?? String(e)}`);
      return { status: UbusStatus.UNKNOWN_ERROR };
    }
  }

  #deliver(obj: LocalObject & { kind: 'listener' | 'subscriber' }, type: string, data: BlobmsgNode[]): void {
    try {
      if (obj.kind === 'listener') obj.onEvent(type, blobmsgToTable(data));
      else obj.onNotify(type, blobmsgToTable(data));
    } catch (e) {
      this.#log.error(`ubus ${obj.kind === 'listener' ? 'event' : 'notification'} handler for '${type}' failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}

/**
 * The arguments a method declared, or a message saying which one has the wrong type.
 * Unknown names are ignored, as blobmsg_parse does (LuCI adds ubus_rpc_session).
 */
function checkArgs(m: UbusMethod, data: BlobmsgNode[]): Record<string, unknown> | string {
  const all = blobmsgToTable(data);
  if (!m.args) return all;
  const out: Record<string, unknown> = {};
  for (const n of data) {
    if (n.type === PLAIN || !Object.prototype.hasOwnProperty.call(m.args, n.name)) continue;
    const want = m.args[n.name]!;
    if (want !== 'unspec' && n.type !== BLOBMSG_TYPE_IDS[want]) return `argument '${n.name}' is ${nodeTypeName(n)}, expected ${want}`;
    setOwn(out, n.name, all[n.name]);
  }
  return out;
}
