import type { Command } from 'commander';
import { formatTime, printJson, withDaemon } from './daemon-client';
import type { RecordStatusReply, ServiceStatus, StatusReply } from '../engine/status';
import type { NotifyStatus } from '../engine/notify';
import type { CliIO } from './io';
import { SOCKET } from './options';

/** `ddnsd status [SERVICE] [--json]`: the daemon's view of every service and record. */
export function register(program: Command, io: CliIO): void {
  program
    .command('status')
    .description('show services, records, addresses and the last results (asks the running daemon)')
    .argument('[service]', 'only this service')
    .option('--json', 'print the ubus reply as JSON')
    .option(...SOCKET)
    .action(async (service: string | undefined, opts: { json?: boolean; socket?: string }) => {
      const reply = (await withDaemon(opts.socket, (call) => call('status', service ? { service } : {}))) as unknown as StatusReply;
      if (opts.json) printJson(io.out, reply);
      else io.out(formatStatus(reply));
    });
}

export function formatStatus(s: StatusReply): string {
  const lines = [`ddnsd ${s.version}, up ${duration(s.uptime)}`];
  for (const e of s.errors) lines.push(`error: ${e}`);
  if (s.services.length === 0) lines.push('no services configured');
  for (const svc of s.services) lines.push('', ...formatService(svc));
  const notify = s.notify ?? [];
  if (notify.length > 0) lines.push('', ...notify.flatMap(formatNotify));
  return lines.join('\n') + '\n';
}

function formatNotify(n: NotifyStatus): string[] {
  if (n.error) return [`notify ${n.name}: rejected`, ...n.error.split('\n').map((e) => `  error: ${e}`)];
  const state = !n.enabled ? 'disabled' : `last sent ${n.last_sent ? formatTime(n.last_sent) : 'never'}, ${n.queued} queued${n.next_try ? `, next try ${formatTime(n.next_try)}` : ''}`;
  return [`notify ${n.name} (${n.type}): ${state}`, ...(n.last_error ? [`  last error: ${n.last_error}`] : [])];
}

function formatService(svc: ServiceStatus): string[] {
  const on = svc.interfaces?.length > 1 ? svc.interfaces.join(', ') : svc.interface;
  const head = `${svc.name}: ${svc.state}` + (svc.provider ? ` (${svc.provider}, ${svc.source} on ${on})` : '');
  const lines = [head];
  if (svc.error) lines.push(...svc.error.split('\n').map((e) => `  error: ${e}`));
  if (svc.wans?.length) {
    lines.push(`  active WAN: ${svc.active_interface || '-'}${svc.active_reason ? ` (${svc.active_reason})` : ''}`);
    for (const w of svc.wans) lines.push(`    ${w.active ? '*' : ' '} ${w.name}: ${w.usable ? 'usable' : 'not usable'}, ${w.reason}`);
  }
  const det = [svc.detected.ipv4, svc.detected.ipv6].filter(Boolean).join(', ');
  if (det) lines.push(`  detected: ${det}`);
  for (const w of svc.warnings) lines.push(`  warning: ${w}`);
  for (const r of svc.records) lines.push(...formatRecord(r));
  return lines;
}

function formatRecord(r: RecordStatusReply): string[] {
  return [
    `  ${r.name} ${r.type}: ${r.state}, registered ${r.registered || '-'}${r.verified ? ' (verified)' : ''}`,
    `    last check ${formatTime(r.last_check)}, last change ${formatTime(r.last_change)}, next check ${formatTime(r.next_check)}`,
    ...(r.last_result ? [`    ${r.last_result}`] : []),
  ];
}

function duration(secs: number): string {
  const d = Math.floor(secs / 86400);
  const h = Math.floor((secs % 86400) / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${secs % 60}s`;
}
