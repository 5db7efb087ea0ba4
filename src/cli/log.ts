import type { Command } from 'commander';
import { formatTime, withDaemon, type DaemonCall } from './daemon-client';
import { EXIT, ExitError, type CliIO } from './io';
import { SOCKET } from './options';

const INT32_MAX = 2 ** 31 - 1;

interface LogLine {
  id: number;
  time: number;
  level: string;
  service: string;
  message: string;
}

/** `ddnsd log [-f]`: the daemon's newest log lines from its in-memory ring buffer. */
export function register(program: Command, io: CliIO): void {
  program
    .command('log')
    .description("print the daemon's newest log lines")
    .argument('[service]', 'only lines about this service')
    .option('-n, --lines <n>', 'how many lines', '50')
    .option('-f, --follow', 'keep printing new lines as they come (Ctrl-C to stop)')
    .option(...SOCKET)
    .action(async (service: string | undefined, opts: { lines: string; follow?: boolean; socket?: string }) => {
      const lines = Number(opts.lines);
      if (!Number.isInteger(lines) || lines < 1) throw new ExitError(EXIT.usage, `--lines must be a positive number, not '${opts.lines}'`);
      await withDaemon(opts.socket, async (call) => {
        // The ring holds far fewer lines than int32 allows; a huge -n means "all", not INVALID_ARGUMENT.
        let after = await printPage(call, io, { service, lines: Math.min(lines, INT32_MAX) });
        while (opts.follow) {
          await new Promise((r) => setTimeout(r, 1000));
          after = await printPage(call, io, { service, lines: 1000, after });
        }
      });
    });
}

/** Print one page; returns the id of the newest line printed (or `after` when there was none). */
async function printPage(call: DaemonCall, io: CliIO, args: { service?: string; lines: number; after?: number }): Promise<number> {
  const a: Record<string, unknown> = { lines: args.lines };
  if (args.service) a.service = args.service;
  if (args.after) a.after = args.after;
  const reply = await call('log', a);
  const list = (reply.lines ?? []) as LogLine[];
  for (const l of list) io.out(`${formatTime(l.time)} ${l.level}: ${l.service ? `[${l.service}] ` : ''}${l.message}\n`);
  const omitted = typeof reply.omitted === 'number' ? reply.omitted : 0;
  if (omitted > 0 && !args.after) io.err(`(${omitted} older lines left out: one ubus reply holds at most 1 MiB; ask for fewer with -n)\n`);
  return list.length ? list[list.length - 1].id : args.after ?? 0;
}
