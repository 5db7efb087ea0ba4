import { TYPE } from './constants';
import { DnsFormatError } from './errors';
import { nameWire } from './name';
import { Reader, Writer } from './wire';

/**
 * DNS messages (RFC 1035 section 4) as plain data. UPDATE messages (RFC 2136) use the same
 * shape: zone = questions, prerequisites = answers, updates = authority.
 * Record data is kept as bytes in uncompressed form: the decoder expands names inside the
 * rdata of the types that may carry compressed names, so every record stands alone.
 */

export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
}

export interface Message {
  header: Header;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export interface DecodedMessage extends Message {
  /** Offset of the first byte of the last additional record when it is a TSIG record. */
  tsigOffset?: number;
}

export function emptyHeader(id: number, opcode = 0): Header {
  return { id, qr: false, opcode, aa: false, tc: false, rd: false, ra: false, ad: false, cd: false, rcode: 0 };
}

function flags(h: Header): number {
  return (
    (h.qr ? 0x8000 : 0) | ((h.opcode & 0xf) << 11) | (h.aa ? 0x0400 : 0) | (h.tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) | (h.ra ? 0x0080 : 0) | (h.ad ? 0x0020 : 0) | (h.cd ? 0x0010 : 0) | (h.rcode & 0xf)
  );
}

function parseFlags(id: number, f: number): Header {
  return {
    id, qr: (f & 0x8000) !== 0, opcode: (f >> 11) & 0xf, aa: (f & 0x0400) !== 0, tc: (f & 0x0200) !== 0,
    rd: (f & 0x0100) !== 0, ra: (f & 0x0080) !== 0, ad: (f & 0x0020) !== 0, cd: (f & 0x0010) !== 0, rcode: f & 0xf,
  };
}

/** Wire form of a message; owner and question names are compressed. */
export function encodeMessage(m: Message): Buffer {
  const w = new Writer();
  w.u16(m.header.id).u16(flags(m.header));
  for (const n of [m.questions.length, m.answers.length, m.authority.length, m.additional.length]) {
    if (n > 0xffff) throw new DnsFormatError('too many records for one message');
    w.u16(n);
  }
  for (const q of m.questions) w.name(q.name).u16(q.type).u16(q.class);
  for (const rr of [...m.answers, ...m.authority, ...m.additional]) writeRecord(w, rr);
  return w.toBuffer();
}

export function writeRecord(w: Writer, rr: ResourceRecord, compress = true): void {
  if (rr.rdata.length > 0xffff) throw new DnsFormatError(`record data of ${rr.name} is too long`);
  w.name(rr.name, compress).u16(rr.type).u16(rr.class).u32(rr.ttl).u16(rr.rdata.length).raw(rr.rdata);
}

/** Parse a whole message. Throws DnsFormatError (and only that) on anything malformed. */
export function decodeMessage(buf: Buffer): DecodedMessage {
  const r = new Reader(buf);
  const header = parseFlags(r.u16('the header'), r.u16('the header'));
  const counts = [r.u16('the header'), r.u16('the header'), r.u16('the header'), r.u16('the header')];
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) questions.push({ name: r.name(), type: r.u16('a question'), class: r.u16('a question') });
  const answers = readRecords(r, counts[1]);
  const authority = readRecords(r, counts[2]);
  let tsigOffset: number | undefined;
  const additional: ResourceRecord[] = [];
  for (let i = 0; i < counts[3]; i++) {
    const start = r.pos;
    const rr = readRecord(r);
    if (rr.type === TYPE.TSIG) {
      if (i !== counts[3] - 1) throw new DnsFormatError('a TSIG record is not the last record of the message');
      tsigOffset = start;
    }
    additional.push(rr);
  }
  if (r.remaining !== 0) throw new DnsFormatError(`${r.remaining} bytes follow the last record`);
  for (const rr of [...answers, ...authority]) {
    if (rr.type === TYPE.TSIG) throw new DnsFormatError('a TSIG record outside the additional section');
  }
  return { header, questions, answers, authority, additional, tsigOffset };
}

function readRecords(r: Reader, n: number): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (let i = 0; i < n; i++) out.push(readRecord(r));
  return out;
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16('a record header');
  const cls = r.u16('a record header');
  const ttl = r.u32('a record header');
  const len = r.u16('a record header');
  r.need(len, `the data of a ${type} record`);
  const end = r.pos + len;
  const rdata = readRdata(r, type, len, end);
  if (r.pos !== end) throw new DnsFormatError(`record data of ${name} has the wrong length`);
  return { name, type, class: cls, ttl, rdata };
}

const FIXED_LENGTH: Partial<Record<number, number>> = { [TYPE.A]: 4, [TYPE.AAAA]: 16 };

/** Rdata bytes with names expanded, for types whose rdata may hold compressed names. */
function readRdata(r: Reader, type: number, len: number, end: number): Buffer {
  const fixed = FIXED_LENGTH[type];
  // An empty rdata is legal for any type in UPDATE messages (RRset deletions, prerequisites).
  if (fixed !== undefined && len !== 0 && len !== fixed) {
    throw new DnsFormatError(`a type ${type} record has ${len} bytes of data, expected ${fixed}`);
  }
  if (len === 0) return Buffer.alloc(0);
  const withinRdata = (): string => {
    const n = r.name();
    if (r.pos > end) throw new DnsFormatError('a name runs past the end of its record data');
    return n;
  };
  switch (type) {
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
    case TYPE.DNAME:
      return nameWire(withinRdata());
    case TYPE.MX: {
      const pref = r.bytes(2, 'MX data');
      return Buffer.concat([pref, nameWire(withinRdata())]);
    }
    case TYPE.SOA: {
      const mname = withinRdata();
      const rname = withinRdata();
      if (end - r.pos !== 20) throw new DnsFormatError('SOA record data has the wrong length');
      return Buffer.concat([nameWire(mname), nameWire(rname), r.bytes(20)]);
    }
    case TYPE.TSIG: {
      const alg = withinRdata();
      if (r.pos > end) throw new DnsFormatError('TSIG data has the wrong length');
      return Buffer.concat([nameWire(alg), r.bytes(end - r.pos, 'TSIG data')]);
    }
    default:
      return Buffer.from(r.bytes(len));
  }
}
