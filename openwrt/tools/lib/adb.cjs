'use strict';
// The ADB container of apk-tools v3 (apk-v3(5), apk-tools src/adb.h), written from its
// specification:
//  - a value is a 32-bit little-endian word: type in the top 4 bits, then either the value
//    itself (NULL/TRUE/FALSE, an integer below 2^28) or the offset of the value inside the
//    ADB block (integers of 32/64 bits, blobs with an 8/16/32-bit length prefix, arrays and
//    objects as a slot count followed by that many minus one values);
//  - the ADB block starts with a header {compat version 0, version 0, reserved, root value};
//    offsets count from its first byte;
//  - a file is "ADB." + the 32-bit schema id, then blocks: a 32-bit word of 2 type bits
//    (ADB 0, SIG 1, DATA 2, extended 3) and 30 bits of size (including the word), the
//    payload, zero padding to 8 bytes. An extended block header is 16 bytes: the word
//    (type 3, real type in the low bits), a reserved word and a 64-bit size.

const T = {
  SPECIAL: 0x0,
  INT: 0x1,
  INT32: 0x2,
  INT64: 0x3,
  BLOB8: 0x8,
  BLOB16: 0x9,
  BLOB32: 0xa,
  ARRAY: 0xd,
  OBJECT: 0xe,
};
const NULL = 0;
const BLOCK = { ADB: 0, SIG: 1, DATA: 2, EXT: 3 };
const ALIGN = 8;
const MAX_OFFSET = 0x0fffffff;

const val = (type, v) => ((type << 28) | v) >>> 0;

/** Builds the payload of an ADB block. Values are written depth first: children before parents. */
class AdbWriter {
  constructor() {
    this.parts = [Buffer.alloc(8)]; // header; root patched in finish()
    this.length = 8;
  }

  /** Append `buf` at the next multiple of `align`; returns its offset. */
  raw(buf, align) {
    const pad = (align - (this.length % align)) % align;
    if (pad) this.push(Buffer.alloc(pad));
    const offset = this.length;
    if (offset + buf.length > MAX_OFFSET) throw new Error('adb: the ADB block outgrew 256 MiB');
    this.push(buf);
    return offset;
  }

  push(buf) {
    this.parts.push(buf);
    this.length += buf.length;
  }

  /** A blob (string or Buffer); an empty one is NULL, as apk writes it. */
  blob(data) {
    const b = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    if (b.length === 0) return NULL;
    let head;
    let type;
    if (b.length > 0xffff) {
      head = Buffer.alloc(4);
      head.writeUInt32LE(b.length);
      type = T.BLOB32;
    } else if (b.length > 0xff) {
      head = Buffer.alloc(2);
      head.writeUInt16LE(b.length);
      type = T.BLOB16;
    } else {
      head = Buffer.from([b.length]);
      type = T.BLOB8;
    }
    return val(type, this.raw(Buffer.concat([head, b]), head.length));
  }

  /** A blob and the offset of its bytes, for patching them later (the unique id). */
  blobAt(data) {
    const v = this.blob(data);
    return { value: v, at: (v & MAX_OFFSET) + (data.length > 0xffff ? 4 : data.length > 0xff ? 2 : 1) };
  }

  /** An unsigned integer. */
  int(n) {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`adb: not an unsigned integer: ${n}`);
    if (n <= MAX_OFFSET) return val(T.INT, n);
    if (n <= 0xffffffff) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return val(T.INT32, this.raw(b, 4));
    }
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return val(T.INT64, this.raw(b, 4));
  }

  /** An object: `fields[i]` is the value of field i (1-based; index 0 unused). Trailing NULLs are dropped; an empty object is NULL. */
  object(fields) {
    return this.slots(T.OBJECT, fields);
  }

  /** An array of values (0-based list). */
  array(items) {
    return this.slots(T.ARRAY, [NULL, ...items]);
  }

  slots(type, fields) {
    let n = fields.length;
    while (n > 1 && !fields[n - 1]) n--;
    if (n <= 1) return NULL;
    const b = Buffer.alloc(4 * n);
    b.writeUInt32LE(n, 0);
    for (let i = 1; i < n; i++) b.writeUInt32LE(fields[i] || NULL, 4 * i);
    return val(type, this.raw(b, 4));
  }

  /** The block payload with `root` as its root value. */
  finish(root) {
    const out = Buffer.concat(this.parts, this.length);
    out.writeUInt8(0, 0); // compat version
    out.writeUInt8(0, 1); // version
    out.writeUInt16LE(0, 2);
    out.writeUInt32LE(root, 4);
    return out;
  }
}

/** The header of a block of `type` with `length` payload bytes, and the padding after it. */
function blockHeader(type, length) {
  let head;
  if (length + 4 <= 0x3fffffff) {
    head = Buffer.alloc(4);
    head.writeUInt32LE(((type << 30) >>> 0) + 4 + length);
  } else {
    head = Buffer.alloc(16);
    head.writeUInt32LE(((BLOCK.EXT << 30) >>> 0) + type, 0);
    head.writeBigUInt64LE(BigInt(16 + length), 8);
  }
  const raw = head.length + length;
  return { head, pad: Buffer.alloc((ALIGN - (raw % ALIGN)) % ALIGN) };
}

/** One whole block: header, payload parts, padding. Returns the list of Buffers. */
function block(type, ...payload) {
  const length = payload.reduce((n, b) => n + b.length, 0);
  const { head, pad } = blockHeader(type, length);
  return pad.length ? [head, ...payload, pad] : [head, ...payload];
}

/** "ADB." + schema id (4 ASCII bytes such as "pckg", stored as the little-endian word they spell). */
function fileHeader(schema) {
  if (!/^[\x20-\x7e]{4}$/.test(schema)) throw new Error(`adb: bad schema id ${schema}`);
  return Buffer.from(`ADB.${schema}`, 'latin1');
}

module.exports = { AdbWriter, block, blockHeader, fileHeader, BLOCK, NULL, T };
