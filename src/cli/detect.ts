import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config/schema';
import { isSourceKind, SOURCE_KINDS, type ServiceConfig } from '../config/types';
import { createSource } from '../detect/index';
import type { Family } from '../detect/types';
import { printJson, withDaemon } from './daemon-client';
import { adhocService, detectService, type DetectReply } from '../engine/detect';
import { availableProviders } from '../providers/registry';
import { LogSink } from '../util/log';
import { EXIT, ExitError, type CliIO } from './io';
import { CONFIG, SOCKET } from './options';

/** Longer than any one source's worst case (three web echo services at 10 s each, per family). */
const DETECT_TIMEOUT_MS = 120_000;

interface DetectOpts {
  source?: string;
  interface?: string;
  family?: string;
  json?: boolean;
  config: string;
  socket: string;
}

/**
 * `ddnsd detect [SERVICE] [--source S --interface I --family 4|6]`: what the sources see and
 * why. A source named with --source that needs no daemon (interface, web, dns, script) is
 * asked right here; source network and configured services go through the daemon.
 */
export function register(program: Command, io: CliIO): void {
  program
    .command('detect')
    .description('show the addresses a service (or a source) finds, and why each candidate was kept or dropped')
    .argument('[service]', 'only this service')
    .option('--source <kind>', 'ask one source instead of a service: network (through the daemon), interface, web, dns, script (no daemon needed)')
    .option('--interface <name>', 'netifd interface (source network) or Linux device (source interface)')
    .option('--family <4|6>', 'only IPv4 or IPv6')
    .option('--json', 'print the reply as JSON')
    .option(...CONFIG)
    .option(...SOCKET)
    .action(async (service: string | undefined, opts: DetectOpts) => {
      const args: Record<string, unknown> = {};
      if (service) args.service = service;
      if (opts.source) args.source = opts.source;
      if (opts.interface) args.interface = opts.interface;
      if (opts.family !== undefined) {
        if (opts.family !== '4' && opts.family !== '6') throw new ExitError(EXIT.usage, `--family must be 4 or 6, not '${opts.family}'`);
        args.family = Number(opts.family);
      }
      if (opts.source && !isSourceKind(opts.source)) throw new ExitError(EXIT.usage, `unknown source '${opts.source}' (${SOURCE_KINDS.join(', ')})`);
      const reply = opts.source && opts.source !== 'network'
        ? await detectHere(opts, args.family as Family | undefined)
        // Each source may try several servers, each with its own timeout (web 10 s, DNS 5 s), per family and service: 15 s is not enough.
        : await withDaemon(opts.socket, (call) => call('detect', args, { timeoutMs: DETECT_TIMEOUT_MS }));
      if (opts.json) return printJson(io.out, reply);
      const services = (reply.services ?? []) as DetectReply[];
      io.out(services.map(formatDetect).join('\n') || 'no enabled service\n');
    });
}

/** A source that needs no daemon, asked in this process; the configuration (if readable) gives its defaults (ip_url, ip_script…). */
async function detectHere(opts: DetectOpts, family: Family | undefined): Promise<Record<string, unknown>> {
  let base: ServiceConfig | undefined;
  try {
    base = loadConfig(await readFile(opts.config, 'utf8'), { providers: availableProviders() }).services[0];
  } catch {
    base = undefined;
  }
  const s = adhocService({ source: opts.source as ServiceConfig['source'], interface: opts.interface, family }, base);
  const log = new LogSink({ level: 'warn' }).logger('detect');
  return { services: [await detectService(s, family ? [family] : [4, 6], (svc) => createSource(svc, {}), log)] };
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
