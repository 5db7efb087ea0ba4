import type { Command } from 'commander';
import { availableProviders } from '../providers/registry';
import type { ProviderDef } from '../providers/types';
import type { CliIO } from './io';

/**
 * `ddnsd providers [--json]`. The JSON is what LuCI draws its forms from: every FieldSpec
 * property is present (absent ones as null / false / []), names in snake_case as on ubus.
 */
export function providerJson(p: ProviderDef) {
  const c = p.capabilities;
  return {
    id: p.id,
    title: p.title,
    aliases: p.aliases,
    fields: p.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      required: f.required ?? false,
      secret: f.secret ?? false,
      list: f.list ?? false,
      default: f.default ?? null,
      help: f.help ?? null,
      choices: f.choices ?? [],
    })),
    capabilities: {
      ipv4: c.ipv4,
      ipv6: c.ipv6,
      dual_stack_one_request: c.dualStackOneRequest,
      hosts_per_request: c.hostsPerRequest,
      ttl: c.ttl,
      proxied: c.proxied,
      read: c.read,
      credential_test: c.credentialTest,
    },
    default_endpoint: p.defaultEndpoint ?? null,
    docs: p.docs ?? null,
  };
}

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
    io.out(JSON.stringify(providers.map(providerJson), null, 2) + '\n');
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
