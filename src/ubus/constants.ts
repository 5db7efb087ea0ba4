/**
 * Numbers spelled out once: message types, attribute ids and limits of the ubus wire
 * protocol (openwrt/ubus ubusmsg.h) and the blobmsg type numbers (openwrt/libubox blobmsg.h).
 */

export const DEFAULT_SOCKET_PATH = '/var/run/ubus/ubus.sock';
/** Where ubusd listened before OpenWrt 21.02; used when only it exists. */
export const LEGACY_SOCKET_PATH = '/var/run/ubus.sock';

/** Root blob padded length limit; ubusd disconnects a client announcing more. */
export const MAX_MSGLEN = 1024 * 1024;

/** version, type, be16 seq, be32 peer. */
export const MSG_HEADER_LEN = 8;

/** Ids below this are system objects (1 events, 2 ACL, 3 monitor). */
export const SYSTEM_OBJECT_MAX = 1024;
export const SYSTEM_OBJECT_EVENT = 1;

export const MsgType = {
  HELLO: 0,
  STATUS: 1,
  DATA: 2,
  PING: 3,
  LOOKUP: 4,
  INVOKE: 5,
  ADD_OBJECT: 6,
  REMOVE_OBJECT: 7,
  SUBSCRIBE: 8,
  UNSUBSCRIBE: 9,
  NOTIFY: 10,
  MONITOR: 11,
} as const;

export const MSG_TYPE_NAMES: readonly string[] = Object.keys(MsgType);

/** Top-level attribute ids (enum ubus_msg_attr). */
export const Attr = {
  UNSPEC: 0,
  STATUS: 1,
  OBJPATH: 2,
  OBJID: 3,
  METHOD: 4,
  OBJTYPE: 5,
  SIGNATURE: 6,
  DATA: 7,
  TARGET: 8,
  ACTIVE: 9,
  NO_REPLY: 10,
  SUBSCRIBERS: 11,
  USER: 12,
  GROUP: 13,
} as const;

/** Attribute ids inside a MONITOR message (enum ubus_monitor_attr). */
export const MonitorAttr = {
  CLIENT: 0,
  PEER: 1,
  SEND: 2,
  SEQ: 3,
  TYPE: 4,
  DATA: 5,
} as const;

/** blobmsg type numbers (enum blobmsg_type). */
export const BlobmsgTypeId = {
  UNSPEC: 0,
  ARRAY: 1,
  TABLE: 2,
  STRING: 3,
  INT64: 4,
  INT32: 5,
  INT16: 6,
  INT8: 7,
  DOUBLE: 8,
} as const;

export const BLOBMSG_TYPE_LAST = 8;

/** Deepest table/array nesting the decoder accepts (a guard against nesting bombs). */
export const MAX_NESTING = 64;
