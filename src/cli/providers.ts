import type { Command } from 'commander';
import { providersReply } from '../engine/providers-reply';
import { availableProviders } from '../providers/registry';
import type { ProviderDef } from '../providers/types';
import type { CliIO } from './io';

/**
 * `ddnsd providers [--json]`. The JSON is the ubus `providers` reply's list (the engine builds
 * it), so LuCI sees the same thing whichever way it asks: every FieldSpec property present,
 * absent strings as '' (blobmsg has no null), names in snake_case.
 */
function families(p: ProviderDef): string {
  return [p.capabilities.ipv4 ? 'v4' : '', p.capabilities.ipv6 ? 'v6' : ''].filter(Boolean).join('+');
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function runProviders(json: boolean, io: CliIO, providers: readonly ProviderDef[] = availableProviders()): void {
  if (json) {
    io.out(JSON.stringify(providersReply(providers).providers, null, 2) + '\n');
    return;
  }
  if (providers.length === 0) {
    io.out('no providers available\n');
    return;
  }
  const rows = providers.map((p) => [
    p.id,
    p.title,
    families(p),
    p.aliases.join(',') || '-',
    p.fields.map((f) => f.name + (f.required ? '*' : '')).join(',') || '-',
  ]);
  io.out(table([['ID', 'TITLE', 'IP', 'ALIASES', 'FIELDS (* required)'], ...rows]));
}

export function register(program: Command, io: CliIO): void {
  program
    .command('providers')
    .description('list the DNS providers with their options (--json: every field, for LuCI)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => runProviders(opts.json ?? false, io));
}
