/**
 * Events through ubusd's event object (id 1, ubusd_event.c): `send` {id, data} publishes,
 * `register` {object, pattern} makes an anonymous object of ours a listener. There is no
 * unregister: removing the object ends its patterns.
 */
import { Attr, BlobmsgTypeId, MsgType, SYSTEM_OBJECT_EVENT } from './constants';
import type { BlobmsgNode } from './blobmsg';
import type { BusCore } from './core';
import { at, type MsgAttr } from './message';
import type { LocalObject } from './objects';

export interface ListenerRecord {
  patterns: string[];
  local: LocalObject & { kind: 'listener' };
}

/** INVOKE attributes for a method of the event object. */
export function eventCall(method: string, body: BlobmsgNode[]): MsgAttr[] {
  return [at.u32(Attr.OBJID, SYSTEM_OBJECT_EVENT), at.str(Attr.METHOD, method), at.blobmsg(Attr.DATA, body)];
}

/** The `send` body: the event name and its data table. */
export function sendBody(type: string, data: BlobmsgNode[]): BlobmsgNode[] {
  return [{ type: BlobmsgTypeId.STRING, name: 'id', value: type }, { type: BlobmsgTypeId.TABLE, name: 'data', children: data }];
}

/** An anonymous object plus one `register` per pattern; the object is removed on failure. */
export async function addListener(core: BusCore, rec: ListenerRecord): Promise<void> {
  const label = `ubus listen ${rec.patterns.join(' ')}`;
  await core.newObject([], rec.local, label);
  try {
    for (const p of rec.patterns) {
      // `object` is INT32 on the wire even for ids above 2^31 (ubusd reads it as u32)
      const body: BlobmsgNode[] = [{ type: BlobmsgTypeId.INT32, name: 'object', value: rec.local.id | 0 }, { type: BlobmsgTypeId.STRING, name: 'pattern', value: p }];
      await core.request(MsgType.INVOKE, SYSTEM_OBJECT_EVENT, eventCall('register', body), label);
    }
  } catch (e) {
    await core.removeLocal(rec.local).catch(() => {});
    throw e;
  }
}
