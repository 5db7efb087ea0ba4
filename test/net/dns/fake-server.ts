import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, type DecodedMessage, type Message } from '../../../src/net/dns/message';

/**
 * A scripted DNS server on 127.0.0.1 (UDP and TCP on one port) for client tests. Each
 * handler sees the decoded request and returns the replies to send (none: stay silent).
 */

export type Handler = (req: DecodedMessage, raw: Buffer, via: 'udp' | 'tcp', peer?: RemoteInfo) => Buffer[] | Promise<Buffer[]>;

export interface FakeDns {
  port: number;
  udp: UdpSocket;
  requests: { via: 'udp' | 'tcp'; raw: Buffer; msg: DecodedMessage }[];
  /** Resolves when the n-th request (1-based) has arrived. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function fakeDns(handler: Handler): Promise<FakeDns> {
  const requests: FakeDns['requests'] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const record = (via: 'udp' | 'tcp', raw: Buffer) => {
    const msg = decodeMessage(raw);
    requests.push({ via, raw, msg });
    for (const w of waiters.filter((w) => requests.length >= w.n)) w.resolve();
    return msg;
  };
  const tcp: Server = createServer((conn: Socket) => {
    let buf = Buffer.alloc(0);
    conn.on('data', async (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const raw = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + raw.length);
        for (const out of await handler(record('tcp', raw), raw, 'tcp')) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          conn.write(Buffer.concat([len, out]));
        }
      }
    });
    conn.on('error', () => {});
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const port = (tcp.address() as { port: number }).port;
  const udp = createSocket('udp4');
  udp.on('message', async (raw: Buffer, rinfo: RemoteInfo) => {
    for (const out of await handler(record('udp', raw), raw, 'udp', rinfo)) udp.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
  return {
    port, udp, requests,
    waitFor: (n) => new Promise<void>((resolve) => (requests.length >= n ? resolve() : waiters.push({ n, resolve }))),
    close: () => new Promise<void>((resolve) => { udp.close(); tcp.close(() => resolve()); }),
  };
}

/** A reply to `req`: same id and question, QR set, with the given parts. */
export function reply(req: Message, parts: Partial<Omit<Message, 'header'>> & { rcode?: number; tc?: boolean; aa?: boolean; id?: number } = {}): Buffer {
  return encodeMessage({
    header: { ...req.header, qr: true, rcode: parts.rcode ?? 0, tc: parts.tc ?? false, aa: parts.aa ?? true, id: parts.id ?? req.header.id },
    questions: parts.questions ?? req.questions,
    answers: parts.answers ?? [],
    authority: parts.authority ?? [],
    additional: parts.additional ?? [],
  });
}
