import { DnsFormatError } from './errors';
import { labelText, nameToLabels } from './name';

/**
 * Bounds-checked reading of a DNS message. Every read that would pass the end throws
 * DnsFormatError, so a malformed or hostile message can only ever produce that error.
 */
export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.remaining) throw new DnsFormatError(`message ends inside ${what} (offset ${this.pos})`);
  }

  u8(what = 'a byte'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what = 'a 16-bit field'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'a 32-bit field'): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u48(what = 'a 48-bit field'): number {
    this.need(6, what);
    const v = this.buf.readUIntBE(this.pos, 6);
    this.pos += 6;
    return v;
  }

  bytes(n: number, what = 'a field'): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /**
   * A possibly compressed name. Pointers must point strictly backwards from the label
   * that holds them, which rules out loops; the expanded name may not exceed 255 bytes.
   */
  name(): string {
    const labels: string[] = [];
    let wireLen = 1;
    let at = this.pos;
    let resume = -1;
    for (;;) {
      if (at >= this.buf.length) throw new DnsFormatError(`message ends inside a name (offset ${at})`);
      const len = this.buf[at];
      if (len === 0) { at += 1; break; }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (at + 1 >= this.buf.length) throw new DnsFormatError(`message ends inside a compression pointer (offset ${at})`);
        const target = ((len & 0x3f) << 8) | this.buf[at + 1];
        if (target >= at) throw new DnsFormatError(`compression pointer at offset ${at} does not point backwards`);
        if (resume < 0) resume = at + 2;
        at = target;
        continue;
      }
      if (kind !== 0) throw new DnsFormatError(`unsupported label type 0x${kind.toString(16)} at offset ${at}`);
      if (at + 1 + len > this.buf.length) throw new DnsFormatError(`message ends inside a label (offset ${at})`);
      wireLen += len + 1;
      if (wireLen > 255) throw new DnsFormatError(`name at offset ${this.pos} is longer than 255 bytes`);
      labels.push(labelText(this.buf.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
    this.pos = resume >= 0 ? resume : at;
    return labels.join('.');
  }
}

/** Message building with name compression (RFC 1035 4.1.4) for names written through `name()`. */
export class Writer {
  #chunks: Buffer[] = [];
  #length = 0;
  #offsets = new Map<string, number>();

  get length(): number {
    return this.#length;
  }

  raw(b: Buffer): this {
    this.#chunks.push(b);
    this.#length += b.length;
    return this;
  }

  u8(v: number): this {
    return this.raw(Buffer.from([v & 0xff]));
  }

  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.raw(b);
  }

  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.raw(b);
  }

  u48(v: number): this {
    const b = Buffer.alloc(6);
    b.writeUIntBE(v, 0, 6);
    return this.raw(b);
  }

  /** Write a name, pointing at an earlier copy of its longest known suffix when `compress`. */
  name(text: string, compress = true): this {
    const labels = nameToLabels(text);
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).map((l) => labelText(l).toLowerCase()).join('.');
      const seen = compress ? this.#offsets.get(key) : undefined;
      if (seen !== undefined) return this.u16(0xc000 | seen);
      if (compress && this.#length < 0x4000) this.#offsets.set(key, this.#length);
      this.u8(labels[i].length).raw(labels[i]);
    }
    return this.u8(0);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }
}
