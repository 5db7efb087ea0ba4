/**
 * What the event and subscription helpers need from the client: requests on the current
 * connection and the life cycle of local objects. Kept small so those helpers live in
 * their own files without reaching into the client's state.
 */
import type { Logger } from '../util/log';
import type { MsgAttr, UbusMessage } from './message';
import type { LocalObject } from './objects';

export interface Removable {
  remove(): Promise<void>;
}

export interface BusCore {
  readonly connected: boolean;
  readonly log: Logger;
  request(type: number, peer: number, attrs: MsgAttr[], label: string, timeoutMs?: number, onData?: (m: UbusMessage) => void): Promise<UbusMessage[]>;
  /** ADD_OBJECT; `local` is registered (and gets its id) as soon as ubusd answers. */
  newObject(attrs: MsgAttr[], local: LocalObject, label: string): Promise<void>;
  /** REMOVE_OBJECT when connected; always forgets `local`. */
  removeLocal(local: LocalObject): Promise<void>;
  /** The object id of `path`; NOT_FOUND when there is none. */
  resolve(path: string, label: string): Promise<number>;
  listen(pattern: string, onEvent: (type: string, data: Record<string, unknown>) => void): Promise<Removable>;
}
