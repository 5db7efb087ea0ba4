/**
 * blob_attr, the TLV under everything (openwrt/libubox blob.h): a be32 header holding the
 * extended flag (bit 31), the id (bits 30..24) and the raw length including the header
 * (bits 23..0), then the payload, then zero padding to a multiple of 4 that the raw length
 * does not count.
 */
import { DecodeError, EncodeError } from './errors';

export const ATTR_HEADER_LEN = 4;
export const EXTENDED = 0x80000000;
const ID_SHIFT = 24;
const ID_MASK = 0x7f;
export const LEN_MASK = 0xffffff;

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One attribute found by `readAttrs`: where its payload lies in the buffer. */
export interface AttrSpan {
  id: number;
  extended: boolean;
  /** Offset of the attribute header. */
  at: number;
  /** Payload start and end (end excludes padding). */
  start: number;
  end: number;
}

/**
 * The attributes between `start` and `end`, checked strictly: every header complete, every
 * length inside the container, every padding byte present and zero.
 */
export function readAttrs(buf: Buffer, start: number, end: number): AttrSpan[] {
  const out: AttrSpan[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < ATTR_HEADER_LEN) throw new DecodeError('truncated attribute header', pos);
    const word = buf.readUInt32BE(pos);
    const raw = word & LEN_MASK;
    if (raw < ATTR_HEADER_LEN) throw new DecodeError(`attribute length ${raw} is shorter than its header`, pos);
    if (raw > end - pos) throw new DecodeError(`attribute length ${raw} runs past the end of its container`, pos);
    const padded = pad4(raw);
    if (padded > end - pos) throw new DecodeError('attribute padding runs past the end of its container', pos);
    for (let i = pos + raw; i < pos + padded; i++) {
      if (buf[i] !== 0) throw new DecodeError('non-zero padding byte', i);
    }
    out.push({ id: (word >>> ID_SHIFT) & ID_MASK, extended: (word & EXTENDED) !== 0, at: pos, start: pos + ATTR_HEADER_LEN, end: pos + raw });
    pos += padded;
  }
  return out;
}

/** A growing output buffer with libubox's nest start / nest end. */
export class BlobWriter {
  #buf: Buffer;
  #len = 0;

  constructor(initial = 256) {
    this.#buf = Buffer.alloc(initial);
  }

  get length(): number {
    return this.#len;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  /** Opens an attribute; its length is filled in by `close`. Returns its offset. */
  open(id: number, extended: boolean): number {
    if (id < 0 || id > ID_MASK) throw new EncodeError(`attribute id ${id} does not fit in 7 bits`);
    const at = this.#len;
    this.u32(((extended ? EXTENDED : 0) | (id << ID_SHIFT)) >>> 0);
    return at;
  }

  /** Sets the raw length of the attribute opened at `at`, then pads with zeros. */
  close(at: number): void {
    const raw = this.#len - at;
    if (raw > LEN_MASK) throw new EncodeError(`attribute of ${raw} bytes exceeds the blob length field`);
    const word = this.#buf.readUInt32BE(at);
    this.#buf.writeUInt32BE(((word & ~LEN_MASK) | raw) >>> 0, at);
    this.padTo4();
  }

  padTo4(): void {
    const target = pad4(this.#len);
    this.#ensure(target - this.#len);
    this.#buf.fill(0, this.#len, target);
    this.#len = target;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  /** UTF-8 text followed by a NUL. */
  cstring(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.#ensure(n + 1);
    this.#buf.write(s, this.#len, 'utf8');
    this.#buf[this.#len + n] = 0;
    this.#len += n + 1;
  }

  u8(v: number): void {
    this.#ensure(1);
    this.#buf.writeUInt8(v & 0xff, this.#len);
    this.#len += 1;
  }

  u16(v: number): void {
    this.#ensure(2);
    this.#buf.writeUInt16BE(v & 0xffff, this.#len);
    this.#len += 2;
  }

  u32(v: number): void {
    this.#ensure(4);
    this.#buf.writeUInt32BE(v >>> 0, this.#len);
    this.#len += 4;
  }

  i64(v: bigint): void {
    this.#ensure(8);
    this.#buf.writeBigInt64BE(v, this.#len);
    this.#len += 8;
  }

  f64(v: number): void {
    this.#ensure(8);
    this.#buf.writeDoubleBE(v, this.#len);
    this.#len += 8;
  }

  /** Overwrites a be32 already written (message header fields). */
  patchU32(at: number, v: number): void {
    this.#buf.writeUInt32BE(v >>> 0, at);
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }

  /**
   * A copy of what was written, then empty for reuse. The copy has its own memory, not a
   * slice of Node's shared Buffer pool: a pool slab still referenced when V8 collects its
   * young generation twice moves to the old generation and is freed only by a full
   * collection (src/ubus/framing.ts says what that cost).
   */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.#len);
    this.#buf.copy(out, 0, 0, this.#len);
    this.reset();
    return out;
  }

  /** Empty again; a buffer grown past 64 KiB by a rare large message is let go. */
  reset(): void {
    this.#len = 0;
    if (this.#buf.length > 65536) this.#buf = Buffer.alloc(4096);
  }
}

/** A NUL-terminated string payload; the NUL must be the last byte. */
export function readCString(buf: Buffer, start: number, end: number, what: string): string {
  if (end <= start || buf[end - 1] !== 0) throw new DecodeError(`${what} is not a NUL-terminated string`, start);
  return buf.toString('utf8', start, end - 1);
}

/** A fixed-size integer payload; the length must be exact. */
export function readFixed(buf: Buffer, start: number, end: number, size: 1 | 2 | 4, what: string): number {
  if (end - start !== size) throw new DecodeError(`${what} has ${end - start} bytes, expected ${size}`, start);
  return size === 1 ? buf[start]! : size === 2 ? buf.readUInt16BE(start) : buf.readUInt32BE(start);
}
