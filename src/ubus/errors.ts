import { statusName, statusText } from './status';

/**
 * A ubus status other than OK. `call()` rejects with it; a method handler throws it to
 * reply with that status.
 */
export class UbusError extends Error {
  readonly status: number;
  readonly statusName: string;

  constructor(status: number, message?: string) {
    super(message ?? `${statusText(status)} (${statusName(status)})`);
    this.name = 'UbusError';
    this.status = status;
    this.statusName = statusName(status);
  }
}

/**
 * Malformed bytes: the only exception the blob/blobmsg/message decoders throw. `offset` is
 * where in the input the problem was found.
 */
export class DecodeError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'DecodeError';
    this.offset = offset;
  }
}

/** Bad input to an encoder (a value blobmsg cannot carry, a message over the size limit). */
export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}
