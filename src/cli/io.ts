/** Where commands print. The executable uses the process streams; tests capture. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** Exit codes, documented in `ddnsd --help` and the README. */
export const EXIT = {
  ok: 0,
  problem: 1,
  usage: 2,
  noDaemon: 3,
  /** import: every service ddns-scripts ran is ready; some it did not run are written disabled until fixed. */
  attention: 4,
  /** import: some services ddns-scripts ran are written disabled until fixed; ddns-scripts must keep running. */
  stranded: 5,
} as const;

/** Thrown by a command to end with an exit code after it has printed its message. */
export class ExitError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
  }
}
