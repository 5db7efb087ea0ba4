import type { Command } from 'commander';
import { formatTime, withDaemon } from './daemon-client';
import { DEFAULTS, runOnce } from '../engine/wiring';
import { EXIT, ExitError, type CliIO } from './io';
import { CONFIG, SOCKET } from './options';

/**
 * `ddnsd update [SERVICE]`: ask the daemon to check now; it sends only what changed.
 * `--force` sends the current address even when the record has it (the daemon warns for
 * providers that punish unchanged updates). With `--once`, run one check right here without
 * the daemon (cron, debugging, any Linux box), keeping state between runs in --state-dir.
 */
export function register(program: Command, io: CliIO): void {
  program
    .command('update')
    .description('check now and update what changed (asks the running daemon; --once works without it)')
    .argument('[service]', 'only this service')
    .option('--force', 'send the address even when the record already has it (some providers block names for that)')
    .option('--once', 'run one check in this process, without the daemon')
    .option(...CONFIG)
    .option('--state-dir <dir>', 'where --once keeps its state between runs (tmpfs)', DEFAULTS.onceStateDir)
    .option(...SOCKET)
    .action(async (service: string | undefined, opts: { force?: boolean; once?: boolean; config: string; stateDir: string; socket: string }) => {
      if (opts.once) {
        const ok = await runOnce({
          configPath: opts.config, stateDir: opts.stateDir, socketPath: opts.socket, service, force: opts.force ?? false, out: io.out, err: io.err,
        });
        if (!ok) throw new ExitError(EXIT.problem);
        return;
      }
      const args: Record<string, unknown> = { force: opts.force ?? false };
      if (service) args.service = service;
      const reply = await withDaemon(opts.socket, (call) => call('update', args));
      const queued = names(reply.queued);
      const blocked = names(reply.blocked);
      for (const b of blocked) io.err(`${b} is blocked until its configuration changes (the provider refused it: see \`ddnsd status ${b}\`); nothing was sent\n`);
      for (const w of Array.isArray(reply.warnings) ? reply.warnings : []) {
        const { service: name, message } = w as { service?: unknown; message?: unknown };
        io.err(`${String(name)}: warning: ${String(message)}\n`);
      }
      if (queued.length === 0) {
        if (blocked.length > 0) throw new ExitError(EXIT.problem);
        throw new ExitError(EXIT.problem, service ? `${service} is not running (disabled or invalid: see \`ddnsd status ${service}\`)` : 'no service is running');
      }
      io.out(`queued: ${queued.join(', ')}${opts.force ? ' (forced)' : ''}\n`);
      for (const w of Array.isArray(reply.waiting) ? reply.waiting : []) {
        const { service: name, until } = w as { service?: unknown; until?: unknown };
        io.out(`${String(name)}: the provider asked ddnsd to wait after a failure; the check runs at ${formatTime(until)}\n`);
      }
    });
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
