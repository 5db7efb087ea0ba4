/**
 * One ubus message: the 8-byte header (version 0, type, be16 seq, be32 peer) and a root blob
 * (id 0, plain) whose payload is a list of top-level attributes. Attributes keep their order,
 * so decode → encode reproduces the bytes (ubusd does not fix the order: a forwarded
 * notification starts with NO_REPLY).
 */
import { BlobWriter, readAttrs, readCString, readFixed, type AttrSpan } from './blob';
import { decodeBlobmsgList, encodeBlobmsgList, type BlobmsgNode } from './blobmsg';
import { Attr, MAX_MSGLEN, MonitorAttr, MsgType, MSG_HEADER_LEN } from './constants';
import { DecodeError, EncodeError } from './errors';
import { checkRoot } from './framing';

export type MsgAttr =
  | { id: number; kind: 'u32'; value: number }
  | { id: number; kind: 'i32'; value: number }
  | { id: number; kind: 'u8'; value: number }
  | { id: number; kind: 'string'; value: string }
  | { id: number; kind: 'blobmsg'; value: BlobmsgNode[] }
  | { id: number; kind: 'u32list'; value: number[] }
  | { id: number; kind: 'nested'; value: MsgAttr[] }
  | { id: number; kind: 'raw'; value: Buffer };

export type AttrKind = MsgAttr['kind'];

export interface UbusMessage {
  type: number;
  seq: number;
  peer: number;
  attrs: MsgAttr[];
}

/** Wire form of each top-level attribute id (ubusmsg.h, ubusd_proto.c policy). */
const UBUS_KINDS: Readonly<Record<number, AttrKind>> = {
  [Attr.STATUS]: 'i32',
  [Attr.OBJPATH]: 'string',
  [Attr.OBJID]: 'u32',
  [Attr.METHOD]: 'string',
  [Attr.OBJTYPE]: 'u32',
  [Attr.SIGNATURE]: 'blobmsg',
  [Attr.DATA]: 'blobmsg',
  [Attr.TARGET]: 'u32',
  [Attr.ACTIVE]: 'u8',
  [Attr.NO_REPLY]: 'u8',
  [Attr.SUBSCRIBERS]: 'u32list',
  [Attr.USER]: 'string',
  [Attr.GROUP]: 'string',
};

/** MONITOR messages number their attributes differently (enum ubus_monitor_attr). */
const MONITOR_KINDS: Readonly<Record<number, AttrKind>> = {
  [MonitorAttr.CLIENT]: 'u32',
  [MonitorAttr.PEER]: 'u32',
  [MonitorAttr.SEND]: 'u8',
  [MonitorAttr.SEQ]: 'u32',
  [MonitorAttr.TYPE]: 'u32',
  [MonitorAttr.DATA]: 'nested',
};

export interface DecodeOptions {
  /**
   * Keep a blobmsg attribute (DATA, SIGNATURE) that does not decode as a `raw` attribute
   * instead of failing: ubusd checks the top-level attributes only, so a call with garbage
   * or too deeply nested data still reaches the object, which answers INVALID_ARGUMENT.
   */
  rawBlobmsgOnError?: boolean;
}

/** Decodes one complete message; throws DecodeError on anything malformed. */
export function decodeMessage(buf: Buffer, opts: DecodeOptions = {}): UbusMessage {
  if (buf.length < MSG_HEADER_LEN + 4) throw new DecodeError(`message of ${buf.length} bytes is shorter than a header`, 0);
  const rawLen = checkRoot(buf, 0);
  if (MSG_HEADER_LEN + rawLen !== buf.length) {
    throw new DecodeError(`root length ${rawLen} does not match the ${buf.length - MSG_HEADER_LEN} bytes after the header`, MSG_HEADER_LEN);
  }
  const type = buf[1]!;
  const kinds = type === MsgType.MONITOR ? MONITOR_KINDS : UBUS_KINDS;
  return {
    type,
    seq: buf.readUInt16BE(2),
    peer: buf.readUInt32BE(4),
    attrs: decodeAttrList(buf, MSG_HEADER_LEN + 4, buf.length, kinds, opts),
  };
}

function decodeAttrList(buf: Buffer, start: number, end: number, kinds: Readonly<Record<number, AttrKind>>, opts: DecodeOptions = {}): MsgAttr[] {
  return readAttrs(buf, start, end).map((span) => {
    const kind = kinds[span.id] ?? 'raw';
    if (kind !== 'blobmsg' || !opts.rawBlobmsgOnError) return decodeAttr(buf, span, kind);
    try {
      return decodeAttr(buf, span, kind);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return decodeAttr(buf, span, 'raw');
    }
  });
}

function decodeAttr(buf: Buffer, span: AttrSpan, kind: AttrKind): MsgAttr {
  const { id, start: s, end: e } = span;
  if (span.extended) throw new DecodeError(`top-level attribute ${id} has the extended bit set`, span.at);
  const what = `attribute ${id}`;
  switch (kind) {
    case 'u32':
      return { id, kind, value: readFixed(buf, s, e, 4, what) };
    case 'i32':
      return { id, kind, value: readFixed(buf, s, e, 4, what) | 0 };
    case 'u8':
      return { id, kind, value: readFixed(buf, s, e, 1, what) };
    case 'string':
      return { id, kind, value: readCString(buf, s, e, what) };
    case 'blobmsg':
      return { id, kind, value: decodeBlobmsgList(buf, s, e) };
    case 'u32list':
      return { id, kind, value: readAttrs(buf, s, e).map((a) => readFixed(buf, a.start, a.end, 4, 'subscriber id')) };
    case 'nested':
      return { id, kind, value: decodeAttrList(buf, s, e, UBUS_KINDS) };
    default:
      return { id, kind: 'raw', value: Buffer.from(buf.subarray(s, e)) };
  }
}

/**
 * One writer for every message, reused, so encoding allocates no growing buffers; what
 * leaves is one copy with its own memory (BlobWriter.take says why not from Node's pool).
 */
const scratch = new BlobWriter(4096);

/** Encodes a message; throws EncodeError when it would exceed ubus's 1 MiB limit. */
export function encodeMessage(msg: UbusMessage): Buffer {
  const w = scratch;
  try {
    w.u8(0);
    w.u8(msg.type);
    w.u16(msg.seq);
    w.u32(msg.peer);
    const root = w.open(0, false);
    encodeAttrList(w, msg.attrs);
    w.close(root);
  } catch (e) {
    w.reset();
    throw e;
  }
  const out = w.take();
  if (out.length - MSG_HEADER_LEN > MAX_MSGLEN) throw new EncodeError(`message of ${out.length} bytes exceeds ubus's limit of ${MAX_MSGLEN}`);
  return out;
}

function encodeAttrList(w: BlobWriter, attrs: readonly MsgAttr[]): void {
  for (const a of attrs) {
    const at = w.open(a.id, false);
    switch (a.kind) {
      case 'u32':
      case 'i32':
        w.u32(a.value);
        break;
      case 'u8':
        w.u8(a.value);
        break;
      case 'string':
        w.cstring(a.value);
        break;
      case 'blobmsg':
        encodeBlobmsgList(w, a.value);
        break;
      case 'u32list':
        for (const v of a.value) {
          const item = w.open(0, false);
          w.u32(v);
          w.close(item);
        }
        break;
      case 'nested':
        encodeAttrList(w, a.value);
        break;
      case 'raw':
        w.bytes(a.value);
        break;
    }
    w.close(at);
  }
}

/** The first attribute with `id`, if any. */
export function findAttr(msg: UbusMessage, id: number): MsgAttr | undefined {
  return msg.attrs.find((a) => a.id === id);
}

export function attrNumber(msg: UbusMessage, id: number): number | undefined {
  const a = findAttr(msg, id);
  return a && (a.kind === 'u32' || a.kind === 'i32' || a.kind === 'u8') ? a.value : undefined;
}

export function attrString(msg: UbusMessage, id: number): string | undefined {
  const a = findAttr(msg, id);
  return a?.kind === 'string' ? a.value : undefined;
}

export function attrBlobmsg(msg: UbusMessage, id: number): BlobmsgNode[] | undefined {
  const a = findAttr(msg, id);
  return a?.kind === 'blobmsg' ? a.value : undefined;
}

/** Shorthands for building attribute lists. */
export const at = {
  u32: (id: number, value: number): MsgAttr => ({ id, kind: 'u32', value: value >>> 0 }),
  i32: (id: number, value: number): MsgAttr => ({ id, kind: 'i32', value }),
  u8: (id: number, value: number): MsgAttr => ({ id, kind: 'u8', value }),
  str: (id: number, value: string): MsgAttr => ({ id, kind: 'string', value }),
  blobmsg: (id: number, value: BlobmsgNode[]): MsgAttr => ({ id, kind: 'blobmsg', value }),
  u32list: (id: number, value: number[]): MsgAttr => ({ id, kind: 'u32list', value }),
};
