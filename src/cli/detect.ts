import type { Command } from 'commander';
import { printJson, SOCKET_HELP, withDaemon } from './daemon-client';
import type { DetectReply } from '../engine/detect';
import { EXIT, ExitError, type CliIO } from './io';

/** Longer than any one source's worst case (three web echo services at 10 s each, per family). */
const DETECT_TIMEOUT_MS = 120_000;

/** `ddnsd detect [SERVICE] [--source S --interface I --family 4|6]`: what the sources see and why. */
export function register(program: Command, io: CliIO): void {
  program
    .command('detect')
    .description('show the addresses a service (or a source) finds, and why each candidate was kept or dropped')
    .argument('[service]', 'only this service')
    .option('--source <kind>', 'ask one source instead of a service: network, interface, web, dns, script')
    .option('--interface <name>', 'netifd interface (source network) or Linux device (source interface)')
    .option('--family <4|6>', 'only IPv4 or IPv6')
    .option('--json', 'print the ubus reply as JSON')
    .option('--socket <path>', SOCKET_HELP)
    .action(async (service: string | undefined, opts: { source?: string; interface?: string; family?: string; json?: boolean; socket?: string }) => {
      const args: Record<string, unknown> = {};
      if (service) args.service = service;
      if (opts.source) args.source = opts.source;
      if (opts.interface) args.interface = opts.interface;
      if (opts.family !== undefined) {
        if (opts.family !== '4' && opts.family !== '6') throw new ExitError(EXIT.usage, `--family must be 4 or 6, not '${opts.family}'`);
        args.family = Number(opts.family);
      }
      // Each source may try several servers, each with its own timeout (web 10 s, DNS 5 s), per family and service: 15 s is not enough.
      const reply = await withDaemon(opts.socket, (call) => call('detect', args, { timeoutMs: DETECT_TIMEOUT_MS }));
      if (opts.json) return printJson(io.out, reply);
      const services = (reply.services ?? []) as DetectReply[];
      io.out(services.map(formatDetect).join('\n') || 'no enabled service\n');
    });
}

export function formatDetect(d: DetectReply): string {
  const lines = [`${d.service} (source ${d.source}):`];
  for (const det of d.detections) {
    lines.push(`  IPv${det.family}: ${det.address || 'none'}${det.error ? ` (${det.error})` : ''}`);
    for (const c of det.candidates) lines.push(`    ${c.kept ? 'kept   ' : 'dropped'} ${c.address} from ${c.origin}: ${c.reason}`);
    for (const w of det.warnings) lines.push(`    warning: ${w}`);
  }
  return lines.join('\n') + '\n';
}
