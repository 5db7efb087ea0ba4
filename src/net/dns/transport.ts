import type * as dgram from 'node:dgram';
import type * as dns from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { systemClock, type Clock, type Timer } from '../../util/clock';
import { BindError, bindFailure, currentBinding, localFor } from '../bind';
import { DnsFormatError, DnsNetworkError } from './errors';
import { decodeMessage } from './message';
import { sameName } from './name';

// Loaded on first use (see test/cli/modules.test.ts): the CLI's common paths never need it.
const dgramModule = (): typeof dgram => require('node:dgram') as typeof dgram;
const dnsModule = (): typeof dns => require('node:dns/promises') as typeof dns;

/**
 * One request, one reply: UDP first (or TCP when asked), TCP again when the UDP reply is
 * truncated. A UDP reply counts only when it comes from the server's address and port and
 * matches the request's id and question; anything else is ignored as a possible spoof.
 */

export interface ExchangeOptions {
  /** IP address or host name of the server (brackets around IPv6 are accepted). */
  server: string;
  port?: number;
  tcp?: boolean;
  /** Give up after this long without a usable reply. Default 5000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where the timeout's time comes from (tests pass a FakeClock). */
  clock?: Clock;
}

export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TCP_MESSAGE = 65535;

export async function exchange(request: Buffer, opts: ExchangeOptions): Promise<Buffer> {
  const address = await resolveServer(opts.server);
  const target: Target = { address, port: opts.port ?? 53, label: describe(address, opts.port ?? 53), local: localAddress(address) };
  if (!opts.tcp) {
    const reply = await udpExchange(request, target, opts);
    if (!decodeMessage(reply).header.tc) return reply;
  }
  return tcpExchange(request, target, opts);
}

interface Target {
  address: string;
  port: number;
  label: string;
  /** The address to send from (net/bind `sendingFrom`), when the work is bound. */
  local?: string;
}

function localAddress(server: string): string | undefined {
  try {
    return localFor(currentBinding(), server.split('%')[0])?.localAddress;
  } catch (e) {
    if (e instanceof BindError) throw new DnsNetworkError('unreachable', e.message);
    throw e;
  }
}

function describe(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** An IP stays as it is; a host name is resolved by the system (getaddrinfo). */
export async function resolveServer(server: string): Promise<string> {
  const s = server.replace(/^\[(.*)\]$/, '$1');
  if (isIP(s.split('%')[0])) return s;
  try {
    return (await dnsModule().lookup(s)).address;
  } catch {
    throw new DnsNetworkError('resolve', `cannot resolve the DNS server name "${s}"`);
  }
}

/** Does `reply` answer `request`: a response, same id, same first question when it has one. */
export function isReplyTo(request: Buffer, reply: Buffer): boolean {
  const q = decodeMessage(request);
  let r;
  try {
    r = decodeMessage(reply);
  } catch (e) {
    if (e instanceof DnsFormatError) return false;
    throw e;
  }
  if (!r.header.qr || r.header.id !== q.header.id) return false;
  if (r.questions.length === 0 || q.questions.length === 0) return true;
  const [a, b] = [q.questions[0], r.questions[0]];
  return a.type === b.type && a.class === b.class && sameName(a.name, b.name);
}

/**
 * Shared plumbing: one settle-once promise with a timeout and an abort hook. Every way a
 * socket can fail (a throw while it is made or used, an error event, an error handed to a
 * callback, a handler that throws) ends in `reject` with a typed error: the callers (the
 * verifier, the dns source, RFC 2136) classify by class, and nothing may escape as an
 * uncaught exception (a connect callback ignoring ENETUNREACH once took the daemon down).
 */
function guarded<T>(opts: ExchangeOptions, target: Target, proto: string,
  body: (resolve: (v: T) => void, reject: (e: Error) => void, onTimer: (ms: number, fn: () => void) => void) => () => void): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<T>((resolve, reject) => {
    const timers: Timer[] = [];
    let done = false;
    let cleanup = (): void => {};
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      timers.forEach((t) => t.cancel());
      opts.signal?.removeEventListener('abort', onAbort);
      try {
        cleanup();
      } catch {
        // A socket that failed half-way may refuse to close; it is dropped either way.
      }
      fn();
    };
    const fail = (e: unknown) => finish(() => reject(typedError(e, target, proto)));
    /** Runs socket code from a callback or event: a throw becomes this request's failure. */
    const safely = (fn: () => void) => {
      if (done) return;
      try {
        fn();
      } catch (e) {
        fail(e);
      }
    };
    const onAbort = () => finish(() => reject(new DnsNetworkError('aborted', `DNS request to ${target.label} was cancelled`)));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    timers.push(clock.after(timeoutMs, () =>
      finish(() => reject(new DnsNetworkError('timeout', `no answer from ${target.label} over ${proto} within ${timeoutMs} ms`)))));
    try {
      cleanup = body(
        (v) => finish(() => resolve(v)),
        fail,
        (ms, fn) => timers.push(clock.after(ms, () => safely(fn))),
      );
    } catch (e) {
      fail(e);
    }
  });
}

/**
 * A DNS error passes as it is; what a socket threw or reported (Node's errors carry a `code`:
 * ENETUNREACH, EINVAL, ERR_SOCKET_BAD_PORT, ...) becomes a network error naming it; anything
 * else came from reading the reply and says so.
 */
function typedError(e: unknown, target: Target, proto: string): Error {
  if (e instanceof DnsNetworkError || e instanceof DnsFormatError) return e;
  if (typeof (e as NodeJS.ErrnoException)?.code === 'string') return socketError(e as NodeJS.ErrnoException, target, proto);
  return new DnsFormatError(`DNS server ${target.label} sent a reply that could not be read over ${proto}: ${e instanceof Error ? e.message : String(e)}`);
}

function socketError(e: NodeJS.ErrnoException, target: Target, proto: string): DnsNetworkError {
  const bind = target.local && e ? bindFailure(e, target.local) : undefined;
  if (bind) return new DnsNetworkError('unreachable', `DNS server ${target.label} over ${proto}: ${bind}`);
  const code = e?.code === 'ECONNREFUSED' ? 'refused' : 'unreachable';
  const why = e?.code === 'ECONNREFUSED' ? 'refused the connection (nothing listens there)' : `cannot be reached (${e?.code ?? e?.message ?? String(e)})`;
  return new DnsNetworkError(code, `DNS server ${target.label} ${why} over ${proto}`);
}

function udpExchange(request: Buffer, target: Target, opts: ExchangeOptions): Promise<Buffer> {
  return guarded<Buffer>(opts, target, 'UDP', (resolve, reject, onTimer) => {
    const sock: dgram.Socket = dgramModule().createSocket(isIP(target.address.split('%')[0]) === 6 ? 'udp6' : 'udp4');
    let closed = false;
    // send() throws synchronously on a socket that is not connected (or already closed).
    const send = () => { if (!closed) sock.send(request, (err) => { if (err) reject(err); }); };
    sock.on('error', reject);
    sock.on('message', (msg, rinfo) => {
      try {
        // A connected socket already filters by peer; check anyway, the kernel is not our only guard.
        if (rinfo.port !== target.port || !sameAddress(rinfo.address, target.address)) return;
        if (isReplyTo(request, msg)) resolve(msg);
      } catch (e) {
        reject(e as Error);
      }
    });
    // connect() reports no route (ENETUNREACH), a bad address (EINVAL) and the like to its callback only.
    const start = () => sock.connect(target.port, target.address, (err?: Error) => {
      if (err) return reject(err);
      try {
        send();
      } catch (e) {
        return reject(e as Error);
      }
      // One retransmission halfway: a lost datagram should not cost the whole timeout.
      onTimer((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 2, send);
    });
    if (target.local) sock.bind({ address: target.local, port: 0, exclusive: true }, start);
    else start();
    return () => {
      closed = true;
      sock.close();
    };
  });
}

function sameAddress(a: string, b: string): boolean {
  const norm = (s: string) => s.split('%')[0].toLowerCase().replace(/^::ffff:/, '');
  return norm(a) === norm(b);
}

function tcpExchange(request: Buffer, target: Target, opts: ExchangeOptions): Promise<Buffer> {
  if (request.length > MAX_TCP_MESSAGE) return Promise.reject(new DnsFormatError('request too long for DNS over TCP'));
  return guarded<Buffer>(opts, target, 'TCP', (resolve, reject) => {
    const sock: Socket = connect({ host: target.address, port: target.port, ...(target.local ? { localAddress: target.local } : {}) });
    let buf = Buffer.alloc(0);
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(request.length);
      // A write on a socket that broke meanwhile reports through 'error'.
      sock.write(Buffer.concat([len, request]));
    });
    sock.on('data', (chunk) => {
      try {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          if (isReplyTo(request, msg)) return resolve(Buffer.from(msg));
          decodeOrReject(msg, target, reject);
        }
      } catch (e) {
        reject(e as Error);
      }
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new DnsNetworkError('closed', `DNS server ${target.label} closed the TCP connection without an answer`)));
    return () => sock.destroy();
  });
}

/** On TCP nobody else can inject data: a reply that does not match is the server's error. */
function decodeOrReject(msg: Buffer, target: Target, reject: (e: Error) => void): void {
  try {
    decodeMessage(msg);
    reject(new DnsFormatError(`DNS server ${target.label} answered over TCP with a reply to another request`));
  } catch (e) {
    reject(e instanceof DnsFormatError ? new DnsFormatError(`DNS server ${target.label} sent a malformed reply: ${e.message}`) : (e as Error));
  }
}
