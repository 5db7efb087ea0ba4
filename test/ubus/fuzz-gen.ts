/**
 * Deterministic random and mutated ubus messages for the fuzz tests, built from the
 * recorded transcripts so most mutations land near real structure.
 */
import { prng } from '../support/prng';
import { MAX_NESTING } from '../../src/ubus/constants';
import { loadAllFixtures } from '../support/ubus-fixtures';

export { prng };

const SEEDS = loadAllFixtures().flatMap((f) => f.messages.map((m) => m.bytes));

export class Fuzzer {
  readonly #rnd: () => number;

  constructor(seed: number) {
    this.#rnd = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.#rnd() * n);
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  /** One message: random, a mutated transcript message, or a crafted bomb. */
  message(): Buffer {
    const k = this.int(100);
    if (k < 10) return this.bytes(this.int(64));
    if (k < 35) return this.framedRandom();
    if (k < 45) return this.lengthEdit();
    if (k < 48) return this.nestingBomb();
    return this.flips();
  }

  /** A valid header and root length with a random body. */
  framedRandom(): Buffer {
    const body = this.bytes(4 * this.int(24));
    const h = Buffer.alloc(12);
    h[1] = this.int(13);
    h.writeUInt16BE(this.int(65536), 2);
    h.writeUInt32BE(this.int(2 ** 32), 4);
    h.writeUInt32BE(4 + body.length, 8);
    return Buffer.concat([h, body]);
  }

  #seed(): Buffer {
    return Buffer.from(SEEDS[this.int(SEEDS.length)]!);
  }

  /** A transcript message with a few random bytes changed. */
  flips(): Buffer {
    const b = this.#seed();
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) b[this.int(b.length)] = this.int(256);
    return this.int(10) === 0 ? b.subarray(0, this.int(b.length)) : b;
  }

  /** A transcript message with one attribute length field (4-aligned offset) rewritten. */
  lengthEdit(): Buffer {
    const b = this.#seed();
    const at = 8 + 4 * this.int(Math.max(1, (b.length - 8) >> 2));
    if (at + 4 > b.length) return b;
    const word = b.readUInt32BE(at);
    const len = [0, 1, 3, 4, 5, 0xffffff, this.int(0x1000000), (word & 0xffffff) + 1, (word & 0xffffff) - 1][this.int(9)]!;
    b.writeUInt32BE(((word & 0xff000000) | (len & 0xffffff)) >>> 0, at);
    return b;
  }

  /** DATA nested deeper than the decoder allows, every length consistent. */
  nestingBomb(): Buffer {
    const depth = MAX_NESTING + 1 + this.int(200);
    let inner = Buffer.alloc(0);
    for (let i = 0; i < depth; i++) {
      const h = Buffer.alloc(8);
      h.writeUInt32BE((0x80000000 | (2 << 24) | (8 + inner.length)) >>> 0, 0); // TABLE, name ""
      inner = Buffer.concat([h, inner]);
    }
    const data = Buffer.alloc(4);
    data.writeUInt32BE(((7 << 24) | (4 + inner.length)) >>> 0, 0);
    const h = Buffer.alloc(12);
    h[1] = 5;
    h.writeUInt32BE(4 + 4 + inner.length, 8);
    return Buffer.concat([h, data, inner]);
  }
}
