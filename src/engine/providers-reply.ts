import type { ProviderDef } from '../providers/types';

/**
 * The `providers` reply: every provider with its field metadata (what LuCI draws forms from)
 * and capabilities, in ubus's snake_case.
 */
export function providersReply(list: readonly ProviderDef[]): { providers: Record<string, unknown>[] } {
  return { providers: list.map(providerInfo) };
}

function providerInfo(p: ProviderDef): Record<string, unknown> {
  const c = p.capabilities;
  return {
    id: p.id,
    title: p.title,
    aliases: [...p.aliases],
    docs: p.docs ?? '',
    default_endpoint: p.defaultEndpoint ?? '',
    fields: p.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      required: f.required ?? false,
      required_unless: f.requiredUnless ?? '',
      secret: f.secret ?? false,
      list: f.list ?? false,
      default: f.default ?? '',
      help: f.help ?? '',
      choices: (f.choices ?? []).map((ch) => ({ value: ch.value, label: ch.label })),
      pattern: f.pattern ?? '',
      pattern_help: f.patternHelp ?? '',
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
  };
}
