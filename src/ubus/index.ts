/** ubus in TypeScript: the public surface. No DDNS knowledge lives under src/ubus/. */
export { UbusClient, type ConnectOptions, type LookupResult, type ObjectHandle, type Removable } from './client';
export type { BackoffOptions } from './backoff';
export type { UbusMethod, InvokeContext } from './objects';
export { UbusError, DecodeError, EncodeError } from './errors';
export { UbusStatus, statusName, statusText, type UbusStatusName } from './status';
export { typed, TypedValue, blobmsgToTable, tableToBlobmsg, type BlobmsgType } from './json';
export { decodeMessage, encodeMessage, type UbusMessage, type MsgAttr } from './message';
export { MsgType, Attr, DEFAULT_SOCKET_PATH, MAX_MSGLEN } from './constants';
