import type { Command } from 'commander';
import { printJson, withDaemon } from './daemon-client';
import { testNotifyDirect } from '../engine/wiring';
import { EXIT, ExitError, type CliIO } from './io';
import { CONFIG, SOCKET } from './options';

/**
 * `ddnsd test SERVICE`: the daemon checks the service's credentials (and, where the API
 * allows, its access to the zone) without changing any record: ubus `ddnsd test`.
 * Exit 0 when they work, 1 when they do not or the provider has no such check.
 *
 * `ddnsd test --notify NAME`: one test message to that notify section: through the daemon
 * (ubus `test {notify}`) when it runs, else straight from the configuration file (--config).
 * Exit 0 when the server took it, 1 otherwise.
 */
export function register(program: Command, io: CliIO): void {
  program
    .command('test')
    .description('check a service\'s credentials with its provider, changing nothing (asks the running daemon); or, with --notify, send a test notification')
    .argument('[service]', 'the service to test')
    .option('--notify <name>', 'send one test message to this notify section (through the daemon when it runs, else from --config)')
    .option('--json', 'print the ubus reply as JSON')
    .option(...CONFIG)
    .option(...SOCKET)
    .action(async (service: string | undefined, opts: { json?: boolean; socket: string; notify?: string; config: string }) => {
      if (opts.notify !== undefined) {
        if (service) throw new ExitError(EXIT.usage, 'ddnsd test: give a service or --notify NAME, not both');
        return testNotify(opts.notify, opts, io);
      }
      if (!service) throw new ExitError(EXIT.usage, 'ddnsd test: name a service (ddnsd test SERVICE) or a notify section (ddnsd test --notify NAME)');
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

async function testNotify(name: string, opts: { json?: boolean; socket: string; config: string }, io: CliIO): Promise<void> {
  let r: Record<string, unknown>;
  try {
    r = await withDaemon(opts.socket, (call) => call('test', { notify: name }, { timeoutMs: 30_000 }));
  } catch (err) {
    if (!(err instanceof ExitError) || err.code !== EXIT.noDaemon) throw err;
    io.err(`ddnsd is not running; sending from this process with ${opts.config}\n`);
    r = { ...(await testNotifyDirect(opts.config, name)) };
  }
  if (opts.json) printJson(io.out, r);
  const message = typeof r.message === 'string' ? r.message : '';
  if (r.ok !== true) throw new ExitError(EXIT.problem, `notify ${name}: failed: ${message}`);
  if (!opts.json) io.out(`notify ${name}: ok: ${message}\n`);
}
