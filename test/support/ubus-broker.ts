/**
 * A test double of ubusd that speaks the same wire protocol (openwrt/ubus ubusd_proto.c,
 * ubusd_obj.c, ubusd_event.c): HELLO with a random client id, objects and object types with
 * random ids ≥ 1024, LOOKUP (all, exact, prefix), INVOKE forwarding with the peer rewrite
 * (USER/GROUP added), DATA/STATUS routing back, the event object (register / send, one copy
 * per listener object, no loop-back, a global event seq), SUBSCRIBE/UNSUBSCRIBE/NOTIFY with
 * ACTIVE notices, and cleanup (ubus.object.remove, UNSUBSCRIBE to subscribers) when an object
 * or a client goes away. Not modelled: ACLs (everyone is root), the ACL and monitor objects,
 * fd passing, the 1 MiB transmit queue limit. Conformance comes from the fixtures; this is
 * for end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BlobmsgNode } from '../../src/ubus/blobmsg';
import { Attr, BlobmsgTypeId, MsgType, SYSTEM_OBJECT_EVENT, SYSTEM_OBJECT_MAX } from '../../src/ubus/constants';
import { FrameReader } from '../../src/ubus/framing';
import { at, attrBlobmsg, attrNumber, attrString, decodeMessage, encodeMessage, findAttr, type MsgAttr, type UbusMessage } from '../../src/ubus/message';
import { UbusStatus } from '../../src/ubus/status';

interface BClient { id: number; sock: Socket; objects: BObject[]; alive: boolean }
interface BType { id: number; methods: BlobmsgNode[]; refs: number }
interface BObject {
  id: number;
  path?: string;
  type?: BType;
  client?: BClient;
  subscribers: Sub[];
  targets: Sub[];
  invokeSeq: number;
  eventSeen: number;
}
interface Sub { subscriber: BObject; target: BObject }
interface Pattern { obj: BObject; key: string; partial: boolean }

const NO_REPLY = -1;

export interface TestBrokerOptions {
  /** Default: a fresh temporary directory. */
  socketPath?: string;
  /** Put in forwarded INVOKEs as USER / GROUP (ubusd takes them from the peer's credentials). */
  user?: string;
  group?: string;
}

export class TestBroker {
  readonly socketPath: string;
  readonly #server: Server;
  readonly #ownDir: string | undefined;
  readonly #user: string;
  readonly #group: string;
  readonly #clients = new Map<number, BClient>();
  readonly #objects = new Map<number, BObject>();
  readonly #types = new Map<number, BType>();
  readonly #paths = new Map<string, BObject>();
  readonly #ids = new Set<number>();
  #patterns: Pattern[] = [];
  #eventSeq = 0;
  #objEventSeq = 1;
  /** Messages received from clients, for tests and benchmarks. */
  received = 0;
  /** Clients disconnected for sending bytes that do not frame. */
  garbageClients = 0;

  private constructor(server: Server, socketPath: string, ownDir: string | undefined, opts: TestBrokerOptions) {
    this.#server = server;
    this.socketPath = socketPath;
    this.#ownDir = ownDir;
    this.#user = opts.user ?? 'root';
    this.#group = opts.group ?? 'root';
    this.#objects.set(SYSTEM_OBJECT_EVENT, this.#newObject(SYSTEM_OBJECT_EVENT));
  }

  static async start(opts: TestBrokerOptions = {}): Promise<TestBroker> {
    const ownDir = opts.socketPath ? undefined : mkdtempSync(join(tmpdir(), 'ubus-broker-'));
    const socketPath = opts.socketPath ?? join(ownDir!, 'ubus.sock');
    const server = createServer();
    const broker = new TestBroker(server, socketPath, ownDir, opts);
    server.on('connection', (sock) => broker.#accept(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return broker;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Paths of the named objects, sorted as LOOKUP lists them. */
  objectPaths(): string[] {
    return [...this.#paths.keys()].sort(byteOrder);
  }

  /** Closes every client connection and stops listening (ubusd going away). */
  close(): Promise<void> {
    for (const c of [...this.#clients.values()]) c.sock.destroy();
    return new Promise((resolve) => {
      this.#server.close(() => {
        if (this.#ownDir && dirname(this.socketPath) === this.#ownDir) rmSync(this.#ownDir, { recursive: true, force: true });
        resolve();
      });
    });
  }

  // ---- connections ------------------------------------------------------------------------

  #allocId(): number {
    for (;;) {
      const id = randomBytes(4).readUInt32BE(0);
      if (id >= SYSTEM_OBJECT_MAX && !this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
  }

  #accept(sock: Socket): void {
    const cl: BClient = { id: this.#allocId(), sock, objects: [], alive: true };
    this.#clients.set(cl.id, cl);
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch {
        this.garbageClients++;
        sock.destroy(); // ubusd drops a client whose header does not validate
        return;
      }
      for (const f of frames) if (cl.alive) this.#receive(cl, f);
    });
    sock.on('error', () => {});
    sock.on('close', () => this.#drop(cl));
    this.#send(cl, { type: MsgType.HELLO, seq: 0, peer: cl.id, attrs: [] });
  }

  #send(cl: BClient | undefined, msg: UbusMessage): void {
    if (cl?.alive) cl.sock.write(encodeMessage(msg));
  }

  #status(cl: BClient, req: UbusMessage, status: number): void {
    this.#send(cl, { type: MsgType.STATUS, seq: req.seq, peer: req.peer, attrs: [at.i32(Attr.STATUS, status)] });
  }

  #data(cl: BClient, req: UbusMessage, attrs: MsgAttr[]): void {
    this.#send(cl, { type: MsgType.DATA, seq: req.seq, peer: req.peer, attrs });
  }

  #drop(cl: BClient): void {
    if (!cl.alive) return;
    cl.alive = false;
    for (const obj of [...cl.objects].reverse()) this.#freeObject(obj);
    this.#clients.delete(cl.id);
    this.#ids.delete(cl.id);
  }

  #receive(cl: BClient, frame: Buffer): void {
    this.received++;
    let msg: UbusMessage;
    try {
      // ubusd parses top-level attributes only (ubus_parse_msg: blob_parse_untrusted with its
      // attribute policy); DATA it cannot read as blobmsg goes on as bytes, as ubusd forwards it.
      msg = decodeMessage(frame, { rawBlobmsgOnError: true });
    } catch {
      this.#status(cl, { type: frame[1]!, seq: frame.readUInt16BE(2), peer: frame.readUInt32BE(4), attrs: [] }, UbusStatus.INVALID_ARGUMENT);
      return;
    }
    const ret = this.#dispatch(cl, msg);
    if (ret !== NO_REPLY) this.#status(cl, msg, ret);
  }

  #dispatch(cl: BClient, msg: UbusMessage): number {
    switch (msg.type) {
      case MsgType.PING:
        this.#send(cl, { ...msg, type: MsgType.DATA });
        return UbusStatus.OK;
      case MsgType.ADD_OBJECT: return this.#addObject(cl, msg);
      case MsgType.REMOVE_OBJECT: return this.#removeObject(cl, msg);
      case MsgType.LOOKUP: return this.#lookup(cl, msg);
      case MsgType.INVOKE: return this.#invoke(cl, msg);
      case MsgType.STATUS:
      case MsgType.DATA: return this.#response(cl, msg);
      case MsgType.SUBSCRIBE: return this.#subscribe(cl, msg);
      case MsgType.UNSUBSCRIBE: return this.#unsubscribe(cl, msg);
      case MsgType.NOTIFY: return this.#notify(cl, msg);
      default: return UbusStatus.INVALID_COMMAND;
    }
  }

  // ---- objects ----------------------------------------------------------------------------

  #newObject(id: number, type?: BType): BObject {
    if (type) type.refs++;
    return { id, type, subscribers: [], targets: [], invokeSeq: 0, eventSeen: 0 };
  }

  #addObject(cl: BClient, msg: UbusMessage): number {
    let type: BType | undefined;
    const typeId = attrNumber(msg, Attr.OBJTYPE);
    const sig = attrBlobmsg(msg, Attr.SIGNATURE);
    if (typeId !== undefined) {
      type = this.#types.get(typeId);
    } else if (sig) {
      if (!sig.every((m) => m.type !== -1 && m.name !== '')) return UbusStatus.INVALID_ARGUMENT;
      type = { id: this.#allocId(), methods: sig, refs: 0 };
      this.#types.set(type.id, type);
    }
    const path = attrString(msg, Attr.OBJPATH);
    if (path !== undefined && this.#paths.has(path)) {
      if (type && type.refs === 0) this.#types.delete(type.id);
      return UbusStatus.INVALID_ARGUMENT;
    }
    const obj = this.#newObject(this.#allocId(), type);
    obj.client = cl;
    this.#objects.set(obj.id, obj);
    if (path !== undefined) {
      obj.path = path;
      this.#paths.set(path, obj);
      this.#objectEvent(obj, 'ubus.object.add');
    }
    cl.objects.push(obj);
    const attrs = [at.u32(Attr.OBJID, obj.id)];
    if (sig && type) attrs.push(at.u32(Attr.OBJTYPE, type.id));
    this.#data(cl, msg, attrs);
    return UbusStatus.OK;
  }

  #removeObject(cl: BClient, msg: UbusMessage): number {
    const id = attrNumber(msg, Attr.OBJID);
    if (id === undefined) return UbusStatus.INVALID_ARGUMENT;
    const obj = this.#objects.get(id);
    if (!obj) return UbusStatus.NOT_FOUND;
    if (obj.client !== cl) return UbusStatus.PERMISSION_DENIED;
    const attrs = [at.u32(Attr.OBJID, obj.id)];
    if (obj.type && obj.type.refs === 1) attrs.push(at.u32(Attr.OBJTYPE, obj.type.id));
    this.#data(cl, msg, attrs);
    this.#freeObject(obj);
    return UbusStatus.OK;
  }

  #freeObject(obj: BObject): void {
    for (const s of [...obj.targets]) this.#unsub(s);
    for (const s of [...obj.subscribers]) {
      const sub = s.subscriber;
      this.#send(sub.client, { type: MsgType.UNSUBSCRIBE, seq: ++sub.invokeSeq & 0xffff, peer: 0, attrs: [at.u32(Attr.OBJID, sub.id), at.u32(Attr.TARGET, obj.id)] });
      this.#unsub(s);
    }
    this.#patterns = this.#patterns.filter((p) => p.obj !== obj);
    if (obj.path !== undefined) {
      this.#objectEvent(obj, 'ubus.object.remove');
      this.#paths.delete(obj.path);
    }
    if (obj.client) obj.client.objects = obj.client.objects.filter((o) => o !== obj);
    this.#objects.delete(obj.id);
    this.#ids.delete(obj.id);
    if (obj.type && --obj.type.refs === 0) {
      this.#types.delete(obj.type.id);
      this.#ids.delete(obj.type.id);
    }
  }

  #lookup(cl: BClient, msg: UbusMessage): number {
    const path = attrString(msg, Attr.OBJPATH);
    const sorted = () => [...this.#paths.values()].sort((a, b) => byteOrder(a.path!, b.path!));
    if (path === undefined) {
      for (const obj of sorted()) this.#sendObject(cl, msg, obj);
      return UbusStatus.OK;
    }
    if (path === '') return UbusStatus.INVALID_ARGUMENT;
    if (!path.endsWith('*')) {
      const obj = this.#paths.get(path);
      if (!obj) return UbusStatus.NOT_FOUND;
      this.#sendObject(cl, msg, obj);
      return UbusStatus.OK;
    }
    const prefix = path.slice(0, -1);
    const hits = sorted().filter((o) => o.path!.startsWith(prefix));
    for (const obj of hits) this.#sendObject(cl, msg, obj);
    return hits.length > 0 ? UbusStatus.OK : UbusStatus.NOT_FOUND;
  }

  #sendObject(cl: BClient, req: UbusMessage, obj: BObject): void {
    if (!obj.type) return; // ubusd lists only objects with a type
    this.#data(cl, req, [at.str(Attr.OBJPATH, obj.path!), at.u32(Attr.OBJID, obj.id), at.u32(Attr.OBJTYPE, obj.type.id), at.blobmsg(Attr.SIGNATURE, obj.type.methods)]);
  }

  // ---- calls ------------------------------------------------------------------------------

  #invoke(cl: BClient, msg: UbusMessage): number {
    const method = attrString(msg, Attr.METHOD);
    const id = attrNumber(msg, Attr.OBJID);
    if (method === undefined || id === undefined) return UbusStatus.INVALID_ARGUMENT;
    const obj = this.#objects.get(id);
    if (!obj) return UbusStatus.NOT_FOUND;
    if (!obj.client) return this.#eventObject(cl, method, attrBlobmsg(msg, Attr.DATA));
    this.#forward(cl, obj, method, msg, []);
    return NO_REPLY;
  }

  /** INVOKE to the owner of `obj`, header peer rewritten to the caller's client id. */
  #forward(cl: BClient, obj: BObject, method: string, req: UbusMessage, first: MsgAttr[]): void {
    const attrs = [...first, at.u32(Attr.OBJID, obj.id), at.str(Attr.METHOD, method), at.str(Attr.USER, this.#user), at.str(Attr.GROUP, this.#group)];
    const data = findAttr(req, Attr.DATA);
    if (data) attrs.push(data);
    this.#send(obj.client, { type: MsgType.INVOKE, seq: req.seq, peer: cl.id, attrs });
  }

  /** DATA/STATUS from an object's owner: routed to the caller, peer rewritten to the object. */
  #response(cl: BClient, msg: UbusMessage): number {
    const id = attrNumber(msg, Attr.OBJID);
    const need = msg.type === MsgType.STATUS ? Attr.STATUS : Attr.DATA;
    if (id === undefined || !findAttr(msg, need)) return NO_REPLY;
    const obj = this.#objects.get(id);
    if (!obj || obj.client !== cl) return NO_REPLY;
    const caller = this.#clients.get(msg.peer);
    if (caller) this.#send(caller, { ...msg, peer: id });
    return NO_REPLY;
  }

  // ---- subscriptions ----------------------------------------------------------------------

  #subscribe(cl: BClient, msg: UbusMessage): number {
    const w = this.#watchArgs(cl, msg);
    if (typeof w === 'number') return w;
    const target = this.#objects.get(w.targetId);
    if (!target || !target.client) return UbusStatus.NOT_FOUND;
    if (target.client === cl) return UbusStatus.INVALID_ARGUMENT;
    const first = target.subscribers.length === 0;
    const s: Sub = { subscriber: w.obj, target };
    target.subscribers.unshift(s);
    w.obj.targets.unshift(s);
    if (first) this.#active(target);
    return UbusStatus.OK;
  }

  #unsubscribe(cl: BClient, msg: UbusMessage): number {
    const w = this.#watchArgs(cl, msg);
    if (typeof w === 'number') return w;
    const s = w.obj.targets.find((x) => x.target.id === w.targetId);
    if (!s) return UbusStatus.NOT_FOUND;
    this.#unsub(s);
    return UbusStatus.OK;
  }

  /** OBJID (ours) and TARGET of SUBSCRIBE / UNSUBSCRIBE, or the status refusing them. */
  #watchArgs(cl: BClient, msg: UbusMessage): { obj: BObject; targetId: number } | number {
    const id = attrNumber(msg, Attr.OBJID);
    const targetId = attrNumber(msg, Attr.TARGET);
    if (id === undefined || targetId === undefined) return UbusStatus.INVALID_ARGUMENT;
    const obj = this.#objects.get(id);
    if (!obj) return UbusStatus.NOT_FOUND;
    if (obj.client !== cl) return UbusStatus.INVALID_ARGUMENT;
    return { obj, targetId };
  }

  #unsub(s: Sub): void {
    s.target.subscribers = s.target.subscribers.filter((x) => x !== s);
    s.subscriber.targets = s.subscriber.targets.filter((x) => x !== s);
    if (s.target.subscribers.length === 0) this.#active(s.target);
  }

  /** NOTIFY {OBJID, ACTIVE} to the owner when the first subscriber arrives or the last leaves. */
  #active(target: BObject): void {
    const active = target.subscribers.length > 0 ? 1 : 0;
    this.#send(target.client, { type: MsgType.NOTIFY, seq: ++target.invokeSeq & 0xffff, peer: 0, attrs: [at.u32(Attr.OBJID, target.id), at.u8(Attr.ACTIVE, active)] });
  }

  #notify(cl: BClient, msg: UbusMessage): number {
    const method = attrString(msg, Attr.METHOD);
    const id = attrNumber(msg, Attr.OBJID);
    if (method === undefined || id === undefined) return UbusStatus.INVALID_ARGUMENT;
    const noReply = (attrNumber(msg, Attr.NO_REPLY) ?? 0) !== 0;
    const obj = this.#objects.get(id);
    if (!obj) return UbusStatus.NOT_FOUND;
    if (obj.client !== cl) return UbusStatus.PERMISSION_DENIED;
    if (!noReply) {
      const subs = obj.subscribers.map((s) => s.subscriber.id);
      this.#send(cl, { type: MsgType.STATUS, seq: msg.seq, peer: msg.peer, attrs: [at.u32(Attr.OBJID, id), at.u32list(Attr.SUBSCRIBERS, subs), at.i32(Attr.STATUS, 0)] });
    }
    for (const s of obj.subscribers) this.#forward(cl, s.subscriber, method, msg, noReply ? [at.u8(Attr.NO_REPLY, 1)] : []);
    return NO_REPLY;
  }

  // ---- events -----------------------------------------------------------------------------

  #eventObject(cl: BClient, method: string, data: BlobmsgNode[] | undefined): number {
    if (method === 'register') return this.#register(cl, data);
    if (method === 'send') return this.#sendEvent(cl, data);
    return UbusStatus.INVALID_COMMAND;
  }

  #register(cl: BClient, data: BlobmsgNode[] | undefined): number {
    const object = member(data, 'object', BlobmsgTypeId.INT32);
    const pattern = member(data, 'pattern', BlobmsgTypeId.STRING);
    if (object?.type !== BlobmsgTypeId.INT32 || pattern?.type !== BlobmsgTypeId.STRING) return UbusStatus.INVALID_ARGUMENT;
    const id = object.value >>> 0;
    if (id < SYSTEM_OBJECT_MAX) return UbusStatus.PERMISSION_DENIED;
    const obj = this.#objects.get(id);
    if (!obj) return UbusStatus.NOT_FOUND;
    if (obj.client !== cl) return UbusStatus.PERMISSION_DENIED;
    if (pattern.value === '') return UbusStatus.PERMISSION_DENIED;
    const partial = pattern.value.endsWith('*');
    this.#patterns.push({ obj, key: partial ? pattern.value.slice(0, -1) : pattern.value, partial });
    return UbusStatus.OK;
  }

  #sendEvent(cl: BClient, data: BlobmsgNode[] | undefined): number {
    const id = member(data, 'id', BlobmsgTypeId.STRING);
    const body = member(data, 'data', BlobmsgTypeId.TABLE);
    if (id?.type !== BlobmsgTypeId.STRING || body?.type !== BlobmsgTypeId.TABLE) return UbusStatus.INVALID_ARGUMENT;
    if (id.value.startsWith('ubus.')) return UbusStatus.PERMISSION_DENIED;
    this.#deliver(cl, id.value, body.children);
    return UbusStatus.OK;
  }

  #objectEvent(obj: BObject, name: string): void {
    this.#deliver(undefined, name, [
      { type: BlobmsgTypeId.INT32, name: 'id', value: obj.id | 0 },
      { type: BlobmsgTypeId.STRING, name: 'path', value: obj.path! },
    ]);
  }

  /** One INVOKE per matching listener object, never back to the sender, numbered globally. */
  #deliver(sender: BClient | undefined, name: string, data: BlobmsgNode[]): void {
    const mark = ++this.#objEventSeq;
    const matching = this.#patterns
      .filter((p) => p.key === name || (p.partial && name.startsWith(p.key)))
      .sort((a, b) => byteOrder(a.key, b.key));
    for (const p of matching) {
      const obj = p.obj;
      if (obj.client === sender || obj.eventSeen === mark) continue;
      obj.eventSeen = mark;
      this.#eventSeq = (this.#eventSeq + 1) & 0xffff;
      this.#send(obj.client, { type: MsgType.INVOKE, seq: this.#eventSeq, peer: 0, attrs: [at.u32(Attr.OBJID, obj.id), at.str(Attr.METHOD, name), at.blobmsg(Attr.DATA, data)] });
    }
  }
}

/** What blobmsg_parse would pick for one policy entry: the member of that name and type. */
function member(data: BlobmsgNode[] | undefined, name: string, type: number): BlobmsgNode | undefined {
  return data?.find((n) => n.type === type && 'name' in n && n.name === name);
}

/** strcmp order, as ubusd's AVL trees sort paths. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
