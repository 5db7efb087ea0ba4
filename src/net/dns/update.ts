import { CLASS, OPCODE, TYPE } from './constants';
import { emptyHeader, type Message, type ResourceRecord } from './message';

/**
 * RFC 2136 UPDATE messages. Each helper returns the record that expresses one
 * prerequisite or one change (section 2.4 and 2.5 of the RFC); `updateMessage` puts them
 * in the right sections under the zone.
 */

const none = Buffer.alloc(0);
const rr = (name: string, type: number, cls: number, ttl: number, rdata: Buffer = none): ResourceRecord =>
  ({ name, type, class: cls, ttl, rdata });

/** Prerequisite: the name has some record (type omitted) or an RRset of `type`. */
export const present = (name: string, type: number = TYPE.ANY): ResourceRecord => rr(name, type, CLASS.ANY, 0);

/** Prerequisite (value dependent): the RRset of `type` is exactly the values given this way (class IN, TTL 0). */
export const presentValue = (name: string, type: number, rdata: Buffer): ResourceRecord => rr(name, type, CLASS.IN, 0, rdata);

/** Prerequisite: the name has no records (type omitted) or no RRset of `type`. */
export const absent = (name: string, type: number = TYPE.ANY): ResourceRecord => rr(name, type, CLASS.NONE, 0);

/** Update: add one record. */
export const addRecord = (name: string, type: number, ttl: number, rdata: Buffer): ResourceRecord => rr(name, type, CLASS.IN, ttl, rdata);

/** Update: delete the whole RRset of `type` (or every RRset of the name when `type` is omitted). */
export const deleteRRset = (name: string, type: number = TYPE.ANY): ResourceRecord => rr(name, type, CLASS.ANY, 0);

/** Update: delete one record of an RRset. */
export const deleteValue = (name: string, type: number, rdata: Buffer): ResourceRecord => rr(name, type, CLASS.NONE, 0, rdata);

/** Update: make the RRset exactly these values (delete it, then add each). */
export function replaceRRset(name: string, type: number, ttl: number, rdatas: Buffer[]): ResourceRecord[] {
  return [deleteRRset(name, type), ...rdatas.map((d) => addRecord(name, type, ttl, d))];
}

/** An UPDATE for `zone` with its prerequisites and changes (unsigned; sign the encoded bytes). */
export function updateMessage(id: number, zone: string, prerequisites: ResourceRecord[], updates: ResourceRecord[]): Message {
  return {
    header: emptyHeader(id, OPCODE.UPDATE),
    questions: [{ name: zone, type: TYPE.SOA, class: CLASS.IN }],
    answers: prerequisites,
    authority: updates,
    additional: [],
  };
}
