import { readFile } from 'node:fs/promises';
import { loadConfig, problemLines } from '../config/schema';
import { createSource, type UbusCall } from '../detect/index';
import { availableProviders } from '../providers/registry';
import { UbusClient } from '../ubus';
import { DEFAULT_SOCKET_PATH } from '../ubus/constants';
import { systemClock } from '../util/clock';
import { LogSink, type Level, type Logger } from '../util/log';
import { Daemon, type DaemonOptions } from './daemon';
import { runOnceWith, type OnceOptions } from './once';
import { serviceTransport, USER_AGENT } from './services';
import { defaultVerifier } from './verify';
import { Notifications, type TestNotifyReply } from './notify';
import { errorText, fsErrorText } from '../util/error-text';

/**
 * Production wiring: the real clock, file system, ubus client, sources and providers.
 * Tests build DaemonOptions themselves; the executable comes through here.
 */

export const DEFAULTS = {
  config: '/etc/config/ddnsd',
  socket: DEFAULT_SOCKET_PATH,
  stateDir: '/var/run/ddnsd',
  /** `update --once` keeps its own state beside the daemon's (tmpfs too), never the daemon's file. */
  onceStateDir: '/var/run/ddnsd/once',
} as const;

export interface RunOptions {
  configPath: string;
  socketPath: string;
  stateDir: string;
  logLevel?: Level;
}

export function productionOptions(run: RunOptions, sink: LogSink): DaemonOptions {
  return {
    configPath: run.configPath,
    stateDir: run.stateDir,
    clock: systemClock,
    sink,
    logLevel: run.logLevel,
    providers: availableProviders(),
    readConfig: (path) => readFile(path, 'utf8'),
    loadConfig,
    connectBus: async () =>
      UbusClient.connect({ socketPath: run.socketPath, reconnect: true, log: sink.logger('ubus'), clock: systemClock }),
    sourceFactory: (service, bus) => createSource(service, { call: (o, m, a) => bus.call(o, m, a) }),
    verifierFactory: (service, instance, def) => defaultVerifier(service, instance, def, USER_AGENT, serviceTransport(service)),
  };
}

/**
 * `ddnsd run`: start, then live until SIGTERM/SIGINT (flush state, leave the bus); SIGHUP
 * reloads the configuration. procd supervises the process, so it stays in the foreground.
 */
export async function runDaemon(run: RunOptions): Promise<void> {
  const sink = new LogSink({ level: run.logLevel ?? 'info' });
  const daemon = Daemon.create(productionOptions(run, sink));
  const done = new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      daemon.logger.info(`${sig}: stopping`);
      void daemon.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  const onHup = () => void daemon.reload();
  process.on('SIGHUP', onHup);
  // Without a listener Node answers SIGUSR1 by opening its debugger on 127.0.0.1:9229: code execution as root for any local user.
  const onUsr1 = () => daemon.logger.info('SIGUSR1 ignored (it would open the Node debugger)');
  process.on('SIGUSR1', onUsr1);
  const onFatal = fatalHandler(daemon.logger, () => daemon.stop(), (code) => process.exit(code));
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  // Keep the process alive while waiting for ubusd: the clock's timers do not hold it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await daemon.open().catch(async (err) => {
      await daemon.stop();
      throw err;
    });
    await done;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGHUP', onHup);
    process.off('SIGUSR1', onUsr1);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  }
}

/**
 * A bug that escapes every handler: one log line naming it (no stack trace in logread), a
 * best-effort state flush, then exit 1 so procd restarts a clean process.
 */
export function fatalHandler(log: Logger, flush: () => Promise<unknown>, exit: (code: number) => void): (err: unknown) => void {
  let fired = false;
  return (err) => {
    if (fired) return;
    fired = true;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log.error(`internal error, restarting: ${what}`);
    const timer = setTimeout(() => exit(1), 2000);
    timer.unref?.();
    flush().then(
      () => exit(1),
      () => exit(1),
    );
  };
}

/**
 * `ddnsd update --once` with the real file system and sources. Source `network` asks netifd
 * over ubus (no daemon needed); the bus is connected only when a service uses it.
 */
export async function runOnce(opts: OnceOptions & { socketPath: string }): Promise<boolean> {
  const sink = new LogSink({ level: 'warn' });
  const bus = lazyBus(opts.socketPath, sink);
  try {
    return await runOnceWith(opts, {
      clock: systemClock,
      sink,
      providers: availableProviders(),
      readConfig: (path) => readFile(path, 'utf8'),
      loadConfig,
      sourceFactory: async (service) => createSource(service, service.source === 'network' ? { call: await bus.call() } : {}),
      verifierFactory: (service, instance, def) => defaultVerifier(service, instance, def, USER_AGENT, serviceTransport(service)),
    });
  } finally {
    bus.close();
  }
}

/** Sources that need no daemon and no ubus. */
export const LOCAL_SOURCES = ['interface', 'web', 'dns', 'script'] as const;

/** A ubus connection made on first use; a failure says which sources work without it. */
export function lazyBus(socketPath: string, sink: LogSink) {
  let client: Promise<UbusClient> | undefined;
  return {
    async call(): Promise<UbusCall> {
      client ??= UbusClient.connect({ socketPath, log: sink.logger('ubus'), clock: systemClock });
      let c: UbusClient;
      try {
        c = await client;
      } catch (err) {
        throw new Error(`ip_source network asks netifd over ubus, which is not reachable at ${socketPath} (${(err as Error).message}); ` +
          `sources that work without ubus: ${LOCAL_SOURCES.join(', ')}`);
      }
      return (o, m, a) => c.call(o, m, a);
    },
    close(): void {
      void client?.then((c) => c.close(), () => undefined);
    },
  };
}

/**
 * `ddnsd test --notify NAME` without a daemon: one test message to that section of the
 * configuration file, sent from this process. The section's problems, if any, are the reply.
 */
export async function testNotifyDirect(configPath: string, name: string): Promise<TestNotifyReply> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    return { notify: name, ok: false, message: `cannot read ${configPath}: ${fsErrorText(err)}` };
  }
  let loaded;
  try {
    loaded = loadConfig(text, { providers: availableProviders() });
  } catch (err) {
    return { notify: name, ok: false, message: `${configPath}: ${errorText(err)}` };
  }
  const cfg = loaded.notify?.find((n) => n.name === name);
  const rejected = loaded.rejectedNotify?.find((r) => r.name === name);
  if (!cfg) {
    const why = rejected
      ? `the section's configuration is rejected: ${problemLines(name, rejected.problems).join('; ')}`
      : loaded.unparsable ? `${configPath}: ${loaded.problems.map((p) => p.message).join('; ')}` : `no notify section named '${name}' in ${configPath}`;
    return { notify: name, ok: false, message: why };
  }
  const sink = new LogSink({ level: 'error' });
  if (cfg.token) sink.addSecrets([cfg.token]);
  const notifications = new Notifications({ clock: systemClock, log: sink.logger('') });
  notifications.apply([cfg], []);
  try {
    return await notifications.test(name);
  } finally {
    notifications.close();
  }
}
