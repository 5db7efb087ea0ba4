import type * as crypto from 'node:crypto';
import { CLASS, RCODE, TYPE } from './constants';
import { DnsFormatError } from './errors';
import { decodeMessage } from './message';
import { canonicalName, nameWire } from './name';
import { Reader, Writer } from './wire';
import type { Secret } from '../../util/secret';

// Loaded on first use (see test/cli/modules.test.ts): the CLI's common paths never need it.
const cryptoModule = (): typeof crypto => require('node:crypto') as typeof crypto;

/**
 * TSIG (RFC 8945): HMAC signatures over DNS messages with a shared key. A request is signed
 * on its own; a reply is verified with the request's MAC chained in front, so a reply cannot
 * be replayed for another request. The key's bytes are taken from the Secret only here.
 */

export const TSIG_ALGORITHMS = {
  'hmac-md5': { wire: 'hmac-md5.sig-alg.reg.int', hash: 'md5' },
  'hmac-sha1': { wire: 'hmac-sha1', hash: 'sha1' },
  'hmac-sha224': { wire: 'hmac-sha224', hash: 'sha224' },
  'hmac-sha256': { wire: 'hmac-sha256', hash: 'sha256' },
  'hmac-sha384': { wire: 'hmac-sha384', hash: 'sha384' },
  'hmac-sha512': { wire: 'hmac-sha512', hash: 'sha512' },
} as const;

export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export function isTsigAlgorithm(s: string): s is TsigAlgorithm {
  return Object.prototype.hasOwnProperty.call(TSIG_ALGORITHMS, s);
}

export interface TsigKey {
  /** The key's name as the server knows it (`ddns-key`, `router.example.com`). */
  name: string;
  algorithm: TsigAlgorithm;
  /** Base64 text, as tsig-keygen and BIND's `secret "..."` write it. */
  secret: Secret;
}

/** The TSIG variables (RFC 8945 4.3.3) besides the key name and algorithm. */
export interface TsigFields {
  timeSigned: number;
  fudge: number;
  error: number;
  otherData: Buffer;
}

/** A parsed TSIG record. */
export interface TsigRecord extends TsigFields {
  keyName: string;
  algorithm: string;
  mac: Buffer;
  originalId: number;
}

export const DEFAULT_FUDGE = 300;

/** The key's bytes. Throws a message that names the problem, never the value. */
export function keyBytes(key: TsigKey): Buffer {
  const text = key.secret.reveal().trim();
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new DnsFormatError(`the TSIG secret of key "${key.name}" is not valid base64`);
  }
  return Buffer.from(text, 'base64');
}

/** HMAC over (request MAC) + message without TSIG + TSIG variables. */
export function tsigMac(key: TsigKey, message: Buffer, fields: TsigFields, requestMac?: Buffer): Buffer {
  const hmac = cryptoModule().createHmac(TSIG_ALGORITHMS[key.algorithm].hash, keyBytes(key));
  if (requestMac && requestMac.length > 0) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(requestMac.length);
    hmac.update(len).update(requestMac);
  }
  hmac.update(message);
  const v = new Writer()
    .raw(nameWire(key.name, true))
    .u16(CLASS.ANY)
    .u32(0)
    .raw(nameWire(TSIG_ALGORITHMS[key.algorithm].wire, true))
    .u48(fields.timeSigned)
    .u16(fields.fudge)
    .u16(fields.error)
    .u16(fields.otherData.length)
    .raw(fields.otherData);
  return hmac.update(v.toBuffer()).digest();
}

/**
 * Append a TSIG record to an encoded message (and count it in ARCOUNT).
 * `now` is Unix seconds. Returns the signed bytes and the MAC, which verifies the reply.
 */
export function signMessage(message: Buffer, key: TsigKey, now: number, requestMac?: Buffer): { wire: Buffer; mac: Buffer } {
  if (message.length < 12) throw new DnsFormatError('message too short to sign');
  const fields: TsigFields = { timeSigned: Math.floor(now), fudge: DEFAULT_FUDGE, error: 0, otherData: Buffer.alloc(0) };
  const mac = tsigMac(key, message, fields, requestMac);
  const rdata = new Writer()
    .raw(nameWire(TSIG_ALGORITHMS[key.algorithm].wire))
    .u48(fields.timeSigned)
    .u16(fields.fudge)
    .u16(mac.length)
    .raw(mac)
    .u16(message.readUInt16BE(0))
    .u16(0)
    .u16(0)
    .toBuffer();
  // TSIG names are never compressed: verifiers rebuild them from the text anyway.
  const rr = new Writer().raw(nameWire(key.name)).u16(TYPE.TSIG).u16(CLASS.ANY).u32(0).u16(rdata.length).raw(rdata).toBuffer();
  const out = Buffer.concat([message, rr]);
  out.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { wire: out, mac };
}

export function parseTsigRdata(keyName: string, rdata: Buffer): TsigRecord {
  const r = new Reader(rdata);
  const algorithm = r.name();
  const timeSigned = r.u48('TSIG data');
  const fudge = r.u16('TSIG data');
  const mac = r.bytes(r.u16('TSIG data'), 'the TSIG MAC');
  const originalId = r.u16('TSIG data');
  const error = r.u16('TSIG data');
  const otherData = r.bytes(r.u16('TSIG data'), 'TSIG other data');
  if (r.remaining !== 0) throw new DnsFormatError('TSIG record data has trailing bytes');
  return { keyName, algorithm, timeSigned, fudge, mac, originalId, error, otherData };
}

export type TsigStatus = 'ok' | 'unsigned' | 'badkey' | 'badsig' | 'badtime';

export interface TsigCheck {
  status: TsigStatus;
  /** The error field of the reply's TSIG record (BADSIG, BADKEY, BADTIME from the server). */
  serverError: number;
  /** The server's clock (Unix seconds) when it reported BADTIME with its time in other data. */
  serverTime?: number;
  /** A sentence for the log. */
  detail: string;
}

/**
 * Verify a signed reply. `requestMac` is the MAC of the request it answers; `now` is Unix
 * seconds. Throws DnsFormatError only if the bytes are not a DNS message.
 */
export function verifyMessage(wire: Buffer, key: TsigKey, now: number, requestMac?: Buffer): TsigCheck {
  const msg = decodeMessage(wire);
  if (msg.tsigOffset === undefined) return { status: 'unsigned', serverError: 0, detail: 'the reply carries no TSIG signature' };
  const rr = msg.additional[msg.additional.length - 1];
  const tsig = parseTsigRdata(rr.name, rr.rdata);
  const serverTime = tsig.error === RCODE.BADTIME && tsig.otherData.length === 6 ? tsig.otherData.readUIntBE(0, 6) : undefined;
  const base = { serverError: tsig.error, serverTime };
  if (canonicalName(tsig.keyName) !== canonicalName(key.name) ||
      canonicalName(tsig.algorithm) !== canonicalName(TSIG_ALGORITHMS[key.algorithm].wire)) {
    return { ...base, status: 'badkey', detail: `the reply is signed with key "${tsig.keyName}" (${tsig.algorithm}), not ours` };
  }
  if (tsig.mac.length === 0) {
    return { ...base, status: 'unsigned', detail: 'the reply carries a TSIG record without a MAC' };
  }
  const full = tsigMac(key, unsignedPart(wire, msg.tsigOffset, tsig.originalId), tsig, requestMac);
  const minLen = Math.max(10, full.length / 2);
  if (tsig.mac.length > full.length || tsig.mac.length < minLen ||
      !cryptoModule().timingSafeEqual(tsig.mac, full.subarray(0, tsig.mac.length))) {
    return { ...base, status: 'badsig', detail: 'the reply\'s TSIG signature does not match our key' };
  }
  if (Math.abs(now - tsig.timeSigned) > tsig.fudge) {
    return { ...base, status: 'badtime', detail: `the reply was signed at ${tsig.timeSigned}, our clock says ${Math.floor(now)}` };
  }
  return { ...base, status: 'ok', detail: 'signature verified' };
}

/** The message as it was before the TSIG record was added: original id, ARCOUNT one less. */
function unsignedPart(wire: Buffer, tsigOffset: number, originalId: number): Buffer {
  const out = Buffer.from(wire.subarray(0, tsigOffset));
  out.writeUInt16BE(originalId, 0);
  out.writeUInt16BE(out.readUInt16BE(10) - 1, 10);
  return out;
}

/** The TSIG record of a decoded reply, if any (for reading the server's error field). */
export function findTsig(wire: Buffer): TsigRecord | undefined {
  const msg = decodeMessage(wire);
  if (msg.tsigOffset === undefined) return undefined;
  const rr = msg.additional[msg.additional.length - 1];
  return parseTsigRdata(rr.name, rr.rdata);
}
