/**
 * One unix-socket connection to ubusd: waits for HELLO, cuts the stream into messages,
 * writes messages in order with backpressure, and reports one close reason. Bytes that
 * break the framing close the connection (the stream cannot be resynchronised); a framed
 * message whose attributes are malformed is dropped and reported, the connection stays.
 */
import { connect, type Socket } from 'node:net';
import type { Clock } from '../util/clock';
import { RateLimitedLog, type Logger } from '../util/log';
import { MsgType, MSG_TYPE_NAMES } from './constants';
import { DecodeError, UbusError } from './errors';
import { FrameReader } from './framing';
import { decodeMessage, encodeMessage, type UbusMessage } from './message';
import { UbusStatus } from './status';

/** Bytes we let pile up unsent before refusing more (ubusd itself drops past 1 MiB). */
const MAX_QUEUED = 8 * 1024 * 1024;

export interface ConnectionHandlers {
  message(msg: UbusMessage): void;
  /** A message that framed correctly but failed to decode; header fields only. */
  malformed(header: { type: number; seq: number; peer: number }, err: DecodeError): void;
  closed(reason: string): void;
}

export class Connection {
  clientId = 0;
  readonly #socket: Socket;
  readonly #log: Logger;
  readonly #reader = new FrameReader();
  #handlers: ConnectionHandlers | undefined;
  /** Frames that arrived after HELLO but before `start`. */
  #early: Buffer[] = [];
  #greeted: ((err?: string) => void) | undefined;
  #queue: Buffer[] = [];
  #queued = 0;
  #closed = false;
  #closeReason = '';
  /** Messages received (framed), for tests and benchmarks. */
  received = 0;
  readonly #malformedLog: RateLimitedLog;

  private constructor(socket: Socket, log: Logger, clock: Clock) {
    this.#socket = socket;
    this.#log = log;
    this.#malformedLog = new RateLimitedLog((m) => log.warn(m), clock);
  }

  /** Connects and waits for ubusd's HELLO, which carries our client id. */
  static open(path: string, log: Logger, clock: Clock, helloTimeoutMs = 5000): Promise<Connection> {
    const socket = connect(path);
    const conn = new Connection(socket, log, clock);
    return new Promise((resolve, reject) => {
      const timer = clock.after(helloTimeoutMs, () => conn.#close(`no HELLO within ${helloTimeoutMs} ms`));
      conn.#greeted = (err) => {
        timer.cancel();
        conn.#greeted = undefined;
        if (err === undefined) resolve(conn);
        else reject(new UbusError(UbusStatus.CONNECTION_FAILED, `cannot connect to ubus at ${path}: ${err}`));
      };
      socket.on('data', (chunk: Buffer) => conn.#onData(chunk));
      socket.on('drain', () => conn.#flush());
      socket.on('error', (e: NodeJS.ErrnoException) => conn.#close(socketError(e)));
      socket.on('close', () => conn.#close('ubusd closed the connection'));
      socket.on('end', () => socket.end());
    });
  }

  /** Starts delivering messages; call once, right after `open` resolves. */
  start(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
    if (this.#closed) {
      handlers.closed(this.#closeReason);
      return;
    }
    const early = this.#early;
    this.#early = [];
    for (const f of early) if (!this.#closed) this.#deliver(f);
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: Buffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch (e) {
      this.#log.warn(`closing the ubus connection: garbage on the socket (${(e as Error).message})`);
      this.#close('garbage on the socket');
      return;
    }
    for (const f of frames) {
      if (this.#closed) return;
      if (this.#greeted) this.#hello(f);
      else if (!this.#handlers) this.#early.push(f);
      else this.#deliver(f);
    }
  }

  #hello(frame: Buffer): void {
    if (frame[1] !== MsgType.HELLO) {
      this.#close(`expected HELLO, got message type ${frame[1]}`);
      return;
    }
    this.clientId = frame.readUInt32BE(4);
    this.#greeted?.();
  }

  #deliver(frame: Buffer): void {
    this.received++;
    let msg: UbusMessage;
    try {
      msg = decodeMessage(frame);
    } catch (e) {
      const header = { type: frame[1]!, seq: frame.readUInt16BE(2), peer: frame.readUInt32BE(4) };
      const name = MSG_TYPE_NAMES[header.type] ?? `type-${header.type}`;
      // A call whose data does not decode (garbage, nesting past 64 levels) is still a call:
      // the object server answers it INVALID_ARGUMENT, as libubus does, instead of leaving
      // the caller to wait out its timeout.
      const call = header.type === MsgType.INVOKE ? looseDecode(frame) : undefined;
      this.#malformedLog.emit(`${call ? 'answering' : 'dropped'} a malformed ubus ${name} message${call ? ' with INVALID_ARGUMENT' : ''}: ${(e as Error).message}`);
      if (call) this.#handlers?.message(call);
      else this.#handlers?.malformed(header, e as DecodeError);
      return;
    }
    this.#handlers?.message(msg);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Encodes and writes; throws EncodeError or UbusError (closed, queue full) synchronously. */
  send(msg: UbusMessage): void {
    if (this.#closed) throw new UbusError(UbusStatus.CONNECTION_FAILED, 'not connected to ubus');
    const bytes = encodeMessage(msg);
    if (this.#queue.length === 0 && !this.#socket.writableNeedDrain) {
      this.#socket.write(bytes);
      return;
    }
    if (this.#queued + bytes.length > MAX_QUEUED) throw new UbusError(UbusStatus.NO_MEMORY, 'ubus send queue is full (ubusd is not reading)');
    this.#queue.push(bytes);
    this.#queued += bytes.length;
  }

  #flush(): void {
    while (this.#queue.length > 0 && !this.#socket.writableNeedDrain) {
      const b = this.#queue.shift()!;
      this.#queued -= b.length;
      this.#socket.write(b);
    }
  }

  close(): void {
    this.#close('closed by the client');
  }

  #close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#queue = [];
    this.#queued = 0;
    this.#socket.destroy();
    if (this.#greeted) this.#greeted(reason);
    else this.#handlers?.closed(reason);
  }
}

/** What a person can act on; the code stays in parentheses for whoever searches for it. */
const SOCKET_ERRORS: Record<string, string> = {
  ENOENT: 'no socket there; is ubusd running?',
  ECONNREFUSED: 'nothing accepts connections there; is ubusd running?',
  EACCES: 'permission denied',
};

/** The message with undecodable blobmsg attributes kept raw, or undefined when even that fails. */
function looseDecode(frame: Buffer): UbusMessage | undefined {
  try {
    return decodeMessage(frame, { rawBlobmsgOnError: true });
  } catch {
    return undefined;
  }
}

function socketError(e: NodeJS.ErrnoException): string {
  const words = e.code ? SOCKET_ERRORS[e.code] : undefined;
  return words ? `${words} (${e.code})` : e.code ?? e.message;
}
