import type { Command } from 'commander';
import { parseLevel } from '../util/log';
import { DEFAULTS, runDaemon } from '../engine/wiring';
import { EXIT, ExitError, type CliIO } from './io';
import { CONFIG, SOCKET } from './options';

/** `ddnsd run`: the daemon, in the foreground (procd supervises it). */
export function register(program: Command, _io: CliIO): void {
  program
    .command('run')
    .description('run the daemon in the foreground (procd starts it this way)')
    .option(...CONFIG)
    .option(...SOCKET)
    .option('--state-dir <dir>', 'where state is kept (tmpfs)', DEFAULTS.stateDir)
    .option('--log-level <level>', 'error, warn, info or debug (default: the config\'s log_level)')
    .action(async (opts: { config: string; socket: string; stateDir: string; logLevel?: string }) => {
      const logLevel = opts.logLevel === undefined ? undefined : parseLevel(opts.logLevel);
      if (opts.logLevel !== undefined && !logLevel) throw new ExitError(EXIT.usage, `--log-level must be error, warn, info or debug, not '${opts.logLevel}'`);
      await runDaemon({ configPath: opts.config, socketPath: opts.socket, stateDir: opts.stateDir, logLevel });
    });
}
