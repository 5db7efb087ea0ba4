/**
 * Cutting a unix stream into messages, as ubusd and libubus read: take the 8-byte header and
 * the 4-byte root blob header, check them, then wait for the rest of the root. A chunk may
 * hold several messages or a fraction of one; the body buffer is allocated only after the
 * length has been checked against the 1 MiB limit.
 *
 * No message is copied into Node's shared Buffer pool: a message that lies whole in the chunk
 * is a view of the chunk, and one that spans chunks gets a buffer of its own
 * (allocUnsafeSlow). Per-message copies out of the pool kept 8 KiB pool slabs alive across
 * two young-generation collections, so V8 moved them to its old generation, where only a
 * full collection frees them; with V8's own heap flat none came, and the daemon's malloc
 * heap grew by about 80 bytes per ubus call (test/bench/README.md, the status soak).
 */
import { ATTR_HEADER_LEN, LEN_MASK, pad4 } from './blob';
import { MAX_MSGLEN, MSG_HEADER_LEN } from './constants';
import { DecodeError } from './errors';

const FIRST = MSG_HEADER_LEN + ATTR_HEADER_LEN;

/** Checks the header and root blob header at `off`; returns the root's raw length. */
export function checkRoot(buf: Buffer, off: number): number {
  if (buf[off] !== 0) throw new DecodeError(`unsupported message version ${buf[off]}`, off);
  const word = buf.readUInt32BE(off + MSG_HEADER_LEN);
  const raw = word & LEN_MASK;
  if (word >>> 24 !== 0) {
    throw new DecodeError('root blob must have id 0 and no extended bit', off + MSG_HEADER_LEN);
  }
  if (raw < ATTR_HEADER_LEN) throw new DecodeError(`root length ${raw} is shorter than its header`, off + MSG_HEADER_LEN);
  if (pad4(raw) > MAX_MSGLEN) throw new DecodeError(`message of ${raw} bytes exceeds ubus's limit of ${MAX_MSGLEN}`, off + MSG_HEADER_LEN);
  if (raw % 4 !== 0) throw new DecodeError(`root length ${raw} is not a multiple of 4`, off + MSG_HEADER_LEN);
  return raw;
}

export class FrameReader {
  #head = Buffer.alloc(FIRST);
  #headLen = 0;
  #body: Buffer | undefined;
  #bodyLen = 0;

  /** Bytes held for an incomplete message. */
  get buffered(): number {
    return this.#body ? this.#bodyLen : this.#headLen;
  }

  /**
   * Feeds a chunk; returns the complete messages it finished: views of `chunk` for those
   * that lie whole in it, else a buffer of their own. Throws DecodeError on a bad header,
   * after which the stream cannot be resynchronised.
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.#body && this.#headLen === 0 && chunk.length - pos >= FIRST) {
        const len = MSG_HEADER_LEN + checkRoot(chunk, pos);
        if (chunk.length - pos >= len) {
          out.push(chunk.subarray(pos, pos + len));
          pos += len;
          continue;
        }
      }
      if (!this.#body) {
        const n = Math.min(FIRST - this.#headLen, chunk.length - pos);
        chunk.copy(this.#head, this.#headLen, pos, pos + n);
        this.#headLen += n;
        pos += n;
        if (this.#headLen < FIRST) break;
        const raw = checkRoot(this.#head, 0);
        this.#body = Buffer.allocUnsafeSlow(MSG_HEADER_LEN + raw);
        this.#head.copy(this.#body, 0, 0, FIRST);
        this.#bodyLen = FIRST;
      }
      const n = Math.min(this.#body.length - this.#bodyLen, chunk.length - pos);
      chunk.copy(this.#body, this.#bodyLen, pos, pos + n);
      this.#bodyLen += n;
      pos += n;
      if (this.#bodyLen === this.#body.length) {
        out.push(this.#body);
        this.#body = undefined;
        this.#headLen = 0;
      }
    }
    return out;
  }
}
