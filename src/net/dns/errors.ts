/**
 * Typed errors of the DNS client. Callers classify by class and `code`, never by parsing
 * messages; messages are sentences for the person reading the log.
 */

/** The bytes are not a well-formed DNS message (truncated, bad pointer, bad length, ...). */
export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

export type DnsNetworkCode = 'timeout' | 'refused' | 'unreachable' | 'aborted' | 'resolve' | 'closed';

/** No usable answer arrived: timeout, ICMP refused, no route, the server name did not resolve. */
export class DnsNetworkError extends Error {
  override name = 'DnsNetworkError';
  constructor(readonly code: DnsNetworkCode, message: string) {
    super(message);
  }
}

/** Every server asked failed to give an answer (each server's reason is in the message). */
export class DnsLookupError extends Error {
  override name = 'DnsLookupError';
}
