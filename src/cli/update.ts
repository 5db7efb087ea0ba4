import type { Command } from 'commander';
import { SOCKET_HELP, withDaemon } from '../engine/cli-client';
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
      const queued = Array.isArray(reply.queued) ? (reply.queued as string[]) : [];
      if (queued.length === 0) throw new ExitError(EXIT.problem, service ? `${service} is not running (disabled or invalid: see \`ddnsd status ${service}\`)` : 'no service is running');
      io.out(`queued: ${queued.join(', ')}${opts.force ? ' (forced)' : ''}\n`);
    });
}
