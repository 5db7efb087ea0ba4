/**
 * blobmsg (openwrt/libubox blobmsg.h): extended blob attributes whose id is a type and
 * whose payload starts with a name header (be16 length, name, NUL, zero padding to 4).
 * Nodes keep the exact wire type, so decode → encode reproduces the bytes.
 */
import { BlobWriter, pad4, readAttrs, readCString, readFixed, type AttrSpan } from './blob';
import { BlobmsgTypeId as T, BLOBMSG_TYPE_LAST, MAX_NESTING } from './constants';
import { DecodeError, EncodeError } from './errors';

export type BlobmsgNode =
  | { type: typeof T.UNSPEC; name: string; raw?: Buffer }
  | { type: typeof T.ARRAY | typeof T.TABLE; name: string; children: BlobmsgNode[] }
  | { type: typeof T.STRING; name: string; value: string }
  | { type: typeof T.INT8 | typeof T.INT16 | typeof T.INT32 | typeof T.DOUBLE; name: string; value: number }
  | { type: typeof T.INT64; name: string; value: bigint }
  /** A plain (non-extended) blob attribute found among blobmsg ones; see `PLAIN`. */
  | { type: typeof PLAIN; id: number; raw: Buffer };

/**
 * Marks a non-extended attribute inside a blobmsg list. Real traffic has one: the ubus CLI's
 * monitor `add` call carries plain OBJID/METHOD attributes as its DATA.
 */
export const PLAIN = -1;

/** Decodes the bare blobmsg list of a DATA or SIGNATURE attribute payload. */
export function decodeBlobmsgList(buf: Buffer, start: number, end: number, depth = 0): BlobmsgNode[] {
  if (depth > MAX_NESTING) throw new DecodeError(`blobmsg nesting deeper than ${MAX_NESTING}`, start);
  return readAttrs(buf, start, end).map((span) => decodeNode(buf, span, depth));
}

function decodeNode(buf: Buffer, span: AttrSpan, depth: number): BlobmsgNode {
  if (!span.extended) return { type: PLAIN, id: span.id, raw: Buffer.from(buf.subarray(span.start, span.end)) };
  if (span.id > BLOBMSG_TYPE_LAST) throw new DecodeError(`unknown blobmsg type ${span.id}`, span.at);
  const { name, valueStart } = readName(buf, span);
  const s = valueStart;
  const e = span.end;
  switch (span.id) {
    case T.UNSPEC:
      return e > s ? { type: T.UNSPEC, name, raw: Buffer.from(buf.subarray(s, e)) } : { type: T.UNSPEC, name };
    case T.ARRAY:
    case T.TABLE:
      return { type: span.id, name, children: decodeBlobmsgList(buf, s, e, depth + 1) };
    case T.STRING:
      return { type: T.STRING, name, value: readCString(buf, s, e, `string '${name}'`) };
    case T.INT8:
      return { type: T.INT8, name, value: readFixed(buf, s, e, 1, `int8 '${name}'`) };
    case T.INT16:
      return { type: T.INT16, name, value: (readFixed(buf, s, e, 2, `int16 '${name}'`) << 16) >> 16 };
    case T.INT32:
      return { type: T.INT32, name, value: readFixed(buf, s, e, 4, `int32 '${name}'`) | 0 };
    case T.INT64:
      if (e - s !== 8) throw new DecodeError(`int64 '${name}' has ${e - s} bytes, expected 8`, s);
      return { type: T.INT64, name, value: buf.readBigInt64BE(s) };
    default:
      if (e - s !== 8) throw new DecodeError(`double '${name}' has ${e - s} bytes, expected 8`, s);
      return { type: T.DOUBLE, name, value: buf.readDoubleBE(s) };
  }
}

function readName(buf: Buffer, span: AttrSpan): { name: string; valueStart: number } {
  if (span.end - span.start < 3) throw new DecodeError('blobmsg attribute too short for its name header', span.at);
  const namelen = buf.readUInt16BE(span.start);
  const hdr = pad4(2 + namelen + 1);
  if (hdr > span.end - span.start) throw new DecodeError(`blobmsg name length ${namelen} runs past the attribute`, span.start);
  const nul = span.start + 2 + namelen;
  if (buf[nul] !== 0) throw new DecodeError('blobmsg name is not NUL-terminated', nul);
  for (let i = nul + 1; i < span.start + hdr; i++) {
    if (buf[i] !== 0) throw new DecodeError('non-zero blobmsg name padding', i);
  }
  return { name: buf.toString('utf8', span.start + 2, nul), valueStart: span.start + hdr };
}

/** Appends one node (and its padding) to `w`. */
export function encodeBlobmsgNode(w: BlobWriter, node: BlobmsgNode, depth = 0): void {
  if (depth > MAX_NESTING) throw new EncodeError(`blobmsg nesting deeper than ${MAX_NESTING}`);
  if (node.type === PLAIN) {
    const at = w.open(node.id, false);
    w.bytes(node.raw);
    w.close(at);
    return;
  }
  const at = w.open(node.type, true);
  writeName(w, node.name);
  switch (node.type) {
    case T.UNSPEC:
      if (node.raw) w.bytes(node.raw);
      break;
    case T.ARRAY:
    case T.TABLE:
      for (const c of node.children) encodeBlobmsgNode(w, c, depth + 1);
      break;
    case T.STRING:
      w.cstring(node.value);
      break;
    case T.INT8:
      w.u8(node.value);
      break;
    case T.INT16:
      w.u16(node.value);
      break;
    case T.INT32:
      w.u32(node.value);
      break;
    case T.INT64:
      w.i64(BigInt.asIntN(64, node.value));
      break;
    case T.DOUBLE:
      w.f64(node.value);
      break;
  }
  w.close(at);
}

function writeName(w: BlobWriter, name: string): void {
  const n = Buffer.byteLength(name, 'utf8');
  if (n > 0xffff) throw new EncodeError(`blobmsg name of ${n} bytes is too long`);
  w.u16(n);
  w.cstring(name);
  w.padTo4();
}

export function encodeBlobmsgList(w: BlobWriter, nodes: readonly BlobmsgNode[]): void {
  for (const n of nodes) encodeBlobmsgNode(w, n);
}
