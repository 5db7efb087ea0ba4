import type { Command } from 'commander';
import { formatTime, SOCKET_HELP, withDaemon } from './daemon-client';
import { runOnce } from '../engine/wiring';
import { EXIT, ExitError, type CliIO } from './io';

/**
 * `ddnsd update [SERVICE] [--force]`: ask the daemon to check now. With `--once`, run one
 * check right here without daemon or ubus (cron, debugging, any Linux box).
 */
export function register(program: Command, io: CliIO): void {
  program
    .command('update')
    .description('check and update now (asks the running daemon; --once works without it)')
    .argument('[service]', 'only this service')
    .option('--force', 'send the address even when the record already has it')
    .option('--once', 'run one check in this process, without the daemon and without ubus')
    .option('--config <file>', 'configuration for --once', '/etc/config/ddnsd')
    .option('--socket <path>', SOCKET_HELP)
    .action(async (service: string | undefined, opts: { force?: boolean; once?: boolean; config: string; socket?: string }) => {
      if (opts.once) {
        const ok = await runOnce({ configPath: opts.config, service, force: opts.force ?? false, out: io.out });
        if (!ok) throw new ExitError(EXIT.problem);
        return;
      }
      const args: Record<string, unknown> = { force: opts.force ?? false };
      if (service) args.service = service;
      const reply = await withDaemon(opts.socket, (call) => call('update', args));
      const queued = names(reply.queued);
      const blocked = names(reply.blocked);
      for (const b of blocked) io.err(`${b} is blocked until its configuration changes (the provider refused it: see \`ddnsd status ${b}\`); nothing was sent\n`);
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
