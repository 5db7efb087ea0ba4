/**
 * Our outstanding requests. Each is answered by zero or more DATA and exactly one STATUS
 * with the same seq; replies are matched on (seq, peer) because ubusd echoes the request's
 * header peer (or rewrites it to the object id, which is what we sent as peer).
 */
import type { Clock, Timer } from '../util/clock';
import { Attr, MsgType } from './constants';
import { UbusError } from './errors';
import { attrNumber, type UbusMessage } from './message';
import { statusName, statusText, UbusStatus } from './status';

interface Pending {
  label: string;
  onData: ((msg: UbusMessage) => void) | undefined;
  data: UbusMessage[];
  parseError: boolean;
  timer: Timer | undefined;
  resolve(data: UbusMessage[]): void;
  reject(err: UbusError): void;
}

export class RequestTable {
  readonly #clock: Clock;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** libubus numbers requests from 1 after HELLO with a 16-bit counter. */
  nextSeq(): number {
    this.#seq = (this.#seq + 1) & 0xffff;
    return this.#seq;
  }

  /**
   * Waits for the STATUS of request (seq, peer); resolves with its DATA messages on status 0.
   * `onData` sees each DATA as it arrives, before any later message is processed.
   */
  add(seq: number, peer: number, label: string, timeoutMs: number | undefined, onData?: (msg: UbusMessage) => void): Promise<UbusMessage[]> {
    const key = keyOf(seq, peer);
    return new Promise((resolve, reject) => {
      const p: Pending = { label, onData, data: [], parseError: false, timer: undefined, resolve, reject };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        p.timer = this.#clock.after(timeoutMs, () => {
          if (this.#pending.get(key) !== p) return;
          this.#pending.delete(key);
          reject(new UbusError(UbusStatus.TIMEOUT, `${label}: no reply within ${timeoutMs} ms (${statusName(UbusStatus.TIMEOUT)})`));
        });
      }
      this.#pending.set(key, p);
    });
  }

  /** Forgets a request whose message could not be sent. */
  drop(seq: number, peer: number): void {
    const p = this.#pending.get(keyOf(seq, peer));
    p?.timer?.cancel();
    this.#pending.delete(keyOf(seq, peer));
  }

  /** Takes a DATA or STATUS; returns false when it answers none of our requests. */
  handle(msg: UbusMessage): boolean {
    const key = keyOf(msg.seq, msg.peer);
    const p = this.#pending.get(key);
    if (!p) return false;
    if (msg.type === MsgType.DATA) {
      p.data.push(msg);
      p.onData?.(msg);
      return true;
    }
    const status = attrNumber(msg, Attr.STATUS);
    if (status === undefined) return false; // libubus ignores a STATUS without a status
    this.#pending.delete(key);
    p.timer?.cancel();
    if (status === UbusStatus.OK && p.parseError) p.reject(new UbusError(UbusStatus.PARSE_ERROR, `${p.label}: the reply could not be decoded (PARSE_ERROR)`));
    else if (status === UbusStatus.OK) p.resolve(p.data);
    else p.reject(new UbusError(status, `${p.label}: ${statusText(status)} (${statusName(status)})`));
    return true;
  }

  /** A reply that framed but did not decode: its request fails with PARSE_ERROR on STATUS. */
  markMalformed(seq: number, peer: number, type: number): void {
    const p = this.#pending.get(keyOf(seq, peer));
    if (!p) return;
    if (type === MsgType.DATA) p.parseError = true;
    else if (type === MsgType.STATUS) this.#failOne(keyOf(seq, peer), p, UbusStatus.PARSE_ERROR, 'the reply could not be decoded');
  }

  failAll(status: number, why: string): void {
    for (const [key, p] of [...this.#pending]) this.#failOne(key, p, status, why);
  }

  #failOne(key: number, p: Pending, status: number, why: string): void {
    this.#pending.delete(key);
    p.timer?.cancel();
    p.reject(new UbusError(status, `${p.label}: ${why} (${statusName(status)})`));
  }
}

function keyOf(seq: number, peer: number): number {
  return peer * 0x10000 + seq;
}
