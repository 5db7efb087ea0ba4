import { TYPE } from './constants';
import { DnsFormatError } from './errors';
import { formatAddress, parseIPv4, parseIPv6 } from '../address';
import { Reader } from './wire';

/** Record data as text and back, for the few types ddnsd reads or writes. */

/** Address text → A or AAAA rdata. */
export function addressRdata(type: 'A' | 'AAAA', address: string): Buffer {
  const bytes = type === 'A' ? parseIPv4(address) : parseIPv6(address);
  if (!bytes) throw new DnsFormatError(`"${address}" is not an ${type === 'A' ? 'IPv4' : 'IPv6'} address`);
  return Buffer.from(bytes);
}

/** TXT rdata: the character-strings joined; other types in presentation form; unknown ones as RFC 3597 `\# len hex`. */
export function rdataText(type: number, rdata: Buffer): string {
  if (type === TYPE.A && rdata.length === 4) return formatAddress({ family: 4, bytes: [...rdata] });
  if (type === TYPE.AAAA && rdata.length === 16) return formatAddress({ family: 6, bytes: [...rdata] });
  const r = new Reader(rdata);
  switch (type) {
    case TYPE.TXT: {
      let out = '';
      while (r.remaining > 0) out += r.bytes(r.u8('a TXT string'), 'a TXT string').toString('utf8');
      return out;
    }
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
    case TYPE.DNAME:
      return r.name();
    case TYPE.MX:
      return `${r.u16()} ${r.name()}`;
    case TYPE.SOA:
      return `${r.name()} ${r.name()} ${[r.u32(), r.u32(), r.u32(), r.u32(), r.u32()].join(' ')}`;
    default:
      return `\\# ${rdata.length}${rdata.length ? ' ' + rdata.toString('hex') : ''}`;
  }
}

/** The serial and MNAME of SOA rdata (uncompressed, as the decoder leaves it). */
export function soaFields(rdata: Buffer): { mname: string; rname: string; serial: number } {
  const r = new Reader(rdata);
  const mname = r.name();
  const rname = r.name();
  const serial = r.u32();
  if (r.remaining !== 16) throw new DnsFormatError('SOA record data has the wrong length');
  return { mname, rname, serial };
}
