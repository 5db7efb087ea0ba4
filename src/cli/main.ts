import { runCli } from './program';

// Entry point of the executable; everything else lives in program.ts so tests can drive
// the CLI in-process. Long-running commands (run, log -f) keep the process alive by
// their own handles; the exit code is set when the command returns.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
