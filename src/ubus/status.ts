/** ubus status codes (enum ubus_msg_status) with their names and the ubus CLI's texts. */
export const UbusStatus = {
  OK: 0,
  INVALID_COMMAND: 1,
  INVALID_ARGUMENT: 2,
  METHOD_NOT_FOUND: 3,
  NOT_FOUND: 4,
  NO_DATA: 5,
  PERMISSION_DENIED: 6,
  TIMEOUT: 7,
  NOT_SUPPORTED: 8,
  UNKNOWN_ERROR: 9,
  CONNECTION_FAILED: 10,
  NO_MEMORY: 11,
  PARSE_ERROR: 12,
  SYSTEM_ERROR: 13,
} as const;

export type UbusStatusName = keyof typeof UbusStatus;

const NAMES = Object.keys(UbusStatus) as UbusStatusName[];

const TEXTS: readonly string[] = [
  'Success',
  'Invalid command',
  'Invalid argument',
  'Method not found',
  'Not found',
  'No response',
  'Permission denied',
  'Request timed out',
  'Operation not supported',
  'Unknown error',
  'Connection failed',
  'Out of memory',
  'Parsing message data failed',
  'System error',
];

/** `NOT_FOUND` for 4; `STATUS_<n>` for numbers ubus does not define. */
export function statusName(status: number): string {
  return NAMES[status] ?? `STATUS_${status}`;
}

/** The text the ubus CLI prints for a status (`Not found`). */
export function statusText(status: number): string {
  return TEXTS[status] ?? 'Unknown error';
}
