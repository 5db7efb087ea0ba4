import { VERSION } from '../version';

// Entry point of the executable; everything else lives in program.ts so tests can drive
// the CLI in-process. Long-running commands (run, log -f) keep the process alive by
// their own handles; the exit code is set when the command returns.
//
// `--version` alone is answered before the CLI is loaded: the bundle keeps each module's
// top level behind its first require, so this path runs none of them (issue 11: --version
// within 1.4x of a SEA that only prints). Commander answers it the same way otherwise.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { runCli } = require('./program') as typeof import('./program');
  runCli(argv).then((code) => {
    process.exitCode = code;
  });
}
