/**
 * JavaScript values ↔ blobmsg, as libubox's blobmsg_json.c maps JSON: objects → TABLE,
 * arrays → ARRAY, strings → STRING, booleans → INT8, integers → INT32 when they fit in
 * 32 bits signed else INT64, other numbers → DOUBLE, null → UNSPEC. Going back, INT8 is a
 * boolean and INT64 a number when it is a safe integer, else a bigint.
 */
import { BlobmsgTypeId as T } from './constants';
import { PLAIN, type BlobmsgNode } from './blobmsg';
import { EncodeError } from './errors';

/** Type names used in method argument lists and signatures. */
export type BlobmsgType = 'unspec' | 'array' | 'table' | 'string' | 'int64' | 'int32' | 'int16' | 'int8' | 'bool' | 'double';

export const BLOBMSG_TYPE_IDS: Readonly<Record<BlobmsgType, number>> = {
  unspec: T.UNSPEC,
  array: T.ARRAY,
  table: T.TABLE,
  string: T.STRING,
  int64: T.INT64,
  int32: T.INT32,
  int16: T.INT16,
  int8: T.INT8,
  bool: T.INT8,
  double: T.DOUBLE,
};

/**
 * A value with a wire type chosen by the caller instead of inferred: other ubus programs read
 * fields with fixed policy types (rpcd wants INT32 for `timeout`), so a reply that must be
 * INT64 even when small says so with `typed('int64', n)`.
 */
export class TypedValue {
  constructor(readonly type: BlobmsgType, readonly value: unknown) {}
}

export function typed(type: BlobmsgType, value: unknown): TypedValue {
  return new TypedValue(type, value);
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_LIMIT = 2 ** 63;

/** The blobmsg list for a table's members (the body of a DATA attribute). */
export function tableToBlobmsg(obj: Record<string, unknown>, depth = 0): BlobmsgNode[] {
  const out: BlobmsgNode[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue; // as JSON.stringify drops it
    out.push(valueToBlobmsg(k, v, depth));
  }
  return out;
}

export function valueToBlobmsg(name: string, v: unknown, depth = 0): BlobmsgNode {
  if (depth > 64) throw new EncodeError(`value '${name}' nests deeper than 64 levels`);
  if (v instanceof TypedValue) return typedToBlobmsg(name, v, depth);
  if (v === null || v === undefined) return { type: T.UNSPEC, name };
  switch (typeof v) {
    case 'boolean':
      return { type: T.INT8, name, value: v ? 1 : 0 };
    case 'string':
      return { type: T.STRING, name, value: v };
    case 'bigint':
      return int64Node(name, v);
    case 'number':
      return numberToBlobmsg(name, v);
    case 'object':
      // as JSON.stringify: an object's toJSON decides (a Secret becomes its mask, a Date a string)
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return valueToBlobmsg(name, (v as { toJSON(k: string): unknown }).toJSON(name), depth + 1);
      if (Array.isArray(v)) return { type: T.ARRAY, name, children: v.map((x) => valueToBlobmsg('', x, depth + 1)) };
      return { type: T.TABLE, name, children: tableToBlobmsg(v as Record<string, unknown>, depth + 1) };
    default:
      throw new EncodeError(`value '${name}' of type ${typeof v} cannot be sent over ubus`);
  }
}

function numberToBlobmsg(name: string, v: number): BlobmsgNode {
  if (Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) return { type: T.INT32, name, value: v };
  if (Number.isInteger(v) && Math.abs(v) < INT64_LIMIT) return { type: T.INT64, name, value: BigInt(v) };
  return { type: T.DOUBLE, name, value: v };
}

function int64Node(name: string, v: bigint): BlobmsgNode {
  if (BigInt.asIntN(64, v) !== v) throw new EncodeError(`value '${name}' does not fit in int64`);
  return { type: T.INT64, name, value: v };
}

function typedToBlobmsg(name: string, t: TypedValue, depth: number): BlobmsgNode {
  const v = t.value;
  const bad = (): never => {
    throw new EncodeError(`value '${name}' is not a valid ${t.type}`);
  };
  switch (t.type) {
    case 'int64':
      return typeof v === 'bigint' ? int64Node(name, v) : Number.isSafeInteger(v) ? int64Node(name, BigInt(v as number)) : bad();
    case 'int32':
      return Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= 0xffffffff ? { type: T.INT32, name, value: (v as number) | 0 } : bad();
    case 'int16':
      return Number.isInteger(v) && (v as number) >= -0x8000 && (v as number) <= 0xffff ? { type: T.INT16, name, value: ((v as number) << 16) >> 16 } : bad();
    case 'int8':
    case 'bool':
      return typeof v === 'boolean' ? { type: T.INT8, name, value: v ? 1 : 0 } : Number.isInteger(v) ? { type: T.INT8, name, value: (v as number) & 0xff } : bad();
    case 'double':
      return typeof v === 'number' ? { type: T.DOUBLE, name, value: v } : bad();
    case 'string':
      return typeof v === 'string' ? { type: T.STRING, name, value: v } : bad();
    case 'unspec':
      return { type: T.UNSPEC, name };
    case 'array':
      return Array.isArray(v) ? valueToBlobmsg(name, v, depth) : bad();
    case 'table':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? valueToBlobmsg(name, v, depth) : bad();
  }
}

/** A blobmsg list read as a table (later duplicates win, as in a JSON parser). */
export function blobmsgToTable(nodes: readonly BlobmsgNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of nodes) {
    if (n.type === PLAIN) continue; // no name, no JSON form
    setOwn(out, n.name, blobmsgToValue(n));
  }
  return out;
}

export function blobmsgToValue(n: BlobmsgNode): unknown {
  switch (n.type) {
    case PLAIN:
    case T.UNSPEC:
      return null;
    case T.TABLE:
      return blobmsgToTable(n.children);
    case T.ARRAY:
      return n.children.filter((c) => c.type !== PLAIN).map(blobmsgToValue);
    case T.STRING:
      return n.value;
    case T.INT8:
      return n.value !== 0;
    case T.INT64:
      return n.value >= BigInt(Number.MIN_SAFE_INTEGER) && n.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n.value) : n.value;
    default:
      return n.value;
  }
}

/** The blobmsg type name of a node, for argument checking and messages. */
export function nodeTypeName(n: BlobmsgNode): string {
  if (n.type === PLAIN) return 'plain blob';
  return ['unspec', 'array', 'table', 'string', 'int64', 'int32', 'int16', 'bool', 'double'][n.type]!;
}

/** Sets an own property even for names like `__proto__` that plain assignment would not. */
export function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
