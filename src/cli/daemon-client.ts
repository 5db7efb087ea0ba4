import { EXIT, ExitError } from './io';
import { UbusClient, UbusError, UbusStatus } from '../ubus';
import { DEFAULT_SOCKET_PATH } from '../ubus/constants';

/**
 * How the CLI talks to a running daemon: connect to ubus, make sure `ddnsd` is on the bus
 * (exit 3 otherwise), call a method. Errors become one-line messages with an exit code.
 */

const CALL_TIMEOUT_MS = 15_000;

/** `timeoutMs`: how long to wait for this reply (default 15 s; `detect` may ask slow sources). */
export type DaemonCall = (method: string, args?: Record<string, unknown>, opts?: { timeoutMs?: number }) => Promise<Record<string, unknown>>;

export async function withDaemon<T>(socketPath: string | undefined, fn: (call: DaemonCall) => Promise<T>): Promise<T> {
  const path = socketPath ?? DEFAULT_SOCKET_PATH;
  let client: UbusClient;
  try {
    client = await UbusClient.connect({ socketPath: path, timeoutMs: CALL_TIMEOUT_MS });
  } catch (err) {
    throw new ExitError(EXIT.noDaemon, `ddnsd is not running: ${(err as Error).message}`);
  }
  try {
    const found = await client.lookup('ddnsd').catch(() => []);
    if (found.length === 0) throw new ExitError(EXIT.noDaemon, 'ddnsd is not running: no ddnsd object on the bus (start it with /etc/init.d/ddnsd start)');
    return await fn(async (method, args = {}, opts = {}) => {
      try {
        return (await client.call('ddnsd', method, args, opts)) ?? {};
      } catch (err) {
        throw callError(method, args, err, opts.timeoutMs ?? CALL_TIMEOUT_MS);
      }
    });
  } finally {
    client.close();
  }
}

export function callError(method: string, args: Record<string, unknown>, err: unknown, timeoutMs = CALL_TIMEOUT_MS): ExitError {
  if (err instanceof UbusError && err.status === UbusStatus.TIMEOUT) {
    return new ExitError(EXIT.problem, `ddnsd did not answer ${method} within ${Math.round(timeoutMs / 1000)} s (is it stuck? see \`ddnsd log\` or logread)`);
  }
  if (err instanceof UbusError && err.status === UbusStatus.NOT_FOUND && typeof args.service === 'string') {
    return new ExitError(EXIT.problem, `ddnsd has no service named '${args.service}' (see \`ddnsd status\`)`);
  }
  if (err instanceof UbusError && err.status === UbusStatus.NOT_FOUND && typeof args.notify === 'string') {
    return new ExitError(EXIT.problem, `ddnsd has no notify section named '${args.notify}' (see \`ddnsd status\`)`);
  }
  if (err instanceof UbusError && err.status === UbusStatus.CONNECTION_FAILED) {
    return new ExitError(EXIT.noDaemon, `ddnsd went away during ${method}: ${err.message}`);
  }
  return new ExitError(EXIT.problem, `ddnsd ${method} failed: ${(err as Error).message}`);
}

export { formatTime } from '../util/time-text';

export function printJson(out: (text: string) => void, value: unknown): void {
  out(JSON.stringify(value, null, 2) + '\n');
}
