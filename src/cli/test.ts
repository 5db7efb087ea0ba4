import type { Command } from 'commander';
import { printJson, withDaemon } from './daemon-client';
import { EXIT, ExitError, type CliIO } from './io';
import { SOCKET } from './options';

/**
 * `ddnsd test SERVICE`: the daemon checks the service's credentials (and, where the API
 * allows, its access to the zone) without changing any record: ubus `ddnsd test`.
 * Exit 0 when they work, 1 when they do not or the provider has no such check.
 */
export function register(program: Command, io: CliIO): void {
  program
    .command('test')
    .description('check a service\'s credentials with its provider, changing nothing (asks the running daemon)')
    .argument('<service>', 'the service to test')
    .option('--json', 'print the ubus reply as JSON')
    .option(...SOCKET)
    .action(async (service: string, opts: { json?: boolean; socket: string }) => {
      const r = await withDaemon(opts.socket, (call) => call('test', { service }, { timeoutMs: 60_000 }));
      if (opts.json) printJson(io.out, r);
      const message = typeof r.message === 'string' ? r.message : '';
      if (r.supported === true && r.outcome === 'ok') {
        if (!opts.json) io.out(`${service}: ok: ${message}\n`);
        return;
      }
      if (r.supported !== true) throw new ExitError(EXIT.problem, `${service}: no credential test: ${message}`);
      throw new ExitError(EXIT.problem, `${service}: ${String(r.outcome)}: ${message}`);
    });
}
