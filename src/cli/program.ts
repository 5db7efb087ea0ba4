import { Command, CommanderError } from 'commander';
import { VERSION } from '../version';
import { register as registerCheck } from './check';
import { register as registerDetect } from './detect';
import { register as registerImport } from './import';
import { CliIO, EXIT, ExitError, processIO } from './io';
import { register as registerLog } from './log';
import { register as registerProviders } from './providers';
import { register as registerRun } from './run';
import { register as registerStatus } from './status';
import { register as registerTest } from './test';
import { register as registerUpdate } from './update';

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a problem was found (bad configuration, failed update, daemon error)
  2  bad command line (unknown command or option, missing argument)
  3  the daemon is not running (no ubus socket, or no ddnsd object on the bus)
`;

/** Build the `ddnsd` command tree. Each command lives in its own file under src/cli/. */
export function buildProgram(io: CliIO = processIO): Command {
  const program = new Command('ddnsd')
    .description('Event-driven Dynamic DNS client for OpenWrt')
    .version(VERSION, '-V, --version', 'print the version')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError()
    .exitOverride();
  // One line per command; each command lives in its own file with register(program, io).
  registerCheck(program, io);
  registerProviders(program, io);
  registerImport(program, io);
  registerRun(program, io);
  registerStatus(program, io);
  registerUpdate(program, io);
  registerDetect(program, io);
  registerTest(program, io);
  registerLog(program, io);
  return program;
}

/** Run the CLI with `args` (without node and script), returning the exit code. */
export async function runCli(args: string[], io: CliIO = processIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ExitError) {
      if (err.message) io.err(err.message.endsWith('\n') ? err.message : err.message + '\n');
      return err.code;
    }
    if (err instanceof CommanderError) {
      // Help asked for (`--help`, `help`) and `--version` succeed; help shown because no
      // command was given (commander's exitCode 1) is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0)) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    io.err(`ddnsd: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.problem;
  }
}
