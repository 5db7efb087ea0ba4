import type { ProviderDef } from '../providers/types';
import { OPTION_RULES, type OptionRule } from '../config/rules';
import { NOTIFY_RULES } from '../config/notify';
import { DURATION_PATTERN, durationHelp } from '../config/duration';

/**
 * What a forced update (the address sent although the record has it) risks with this
 * provider, or '' when nothing: the daemon's policy, shown by LuCI before it forces and by the
 * CLI and the `update` reply after.
 */
export function forceWarning(p: ProviderDef): string {
  return p.capabilities.punishesUnchanged
    ? `${p.title} counts an update that does not change the address as abuse and may block the name or the account; force only to repair a record you know is wrong`
    : '';
}

/**
 * The `providers` reply: every provider with its field metadata (what LuCI draws forms from)
 * and capabilities, in ubus's snake_case; and `options`, the rules of the general options
 * (config/rules.ts: type, range, pattern, choices) that check applies and LuCI validates with;
 * `notify_options`, the same for the notify sections (config/notify.ts; `priority` per `type` through `depends`).
 */
export function providersReply(list: readonly ProviderDef[]): { providers: Record<string, unknown>[]; options: readonly OptionRule[]; notify_options: readonly OptionRule[] } {
  return { providers: list.map(providerInfo), options: OPTION_RULES, notify_options: NOTIFY_RULES };
}

function providerInfo(p: ProviderDef): Record<string, unknown> {
  const c = p.capabilities;
  return {
    id: p.id,
    title: p.title,
    aliases: [...p.aliases],
    docs: p.docs ?? '',
    default_endpoint: p.defaultEndpoint ?? '',
    endpoint_type: p.endpointType ?? 'endpoint',
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
      pattern: f.pattern ?? (f.type === 'duration' ? DURATION_PATTERN : ''),
      pattern_help: f.patternHelp ?? (f.type === 'duration' ? durationHelp() : ''),
      min: f.min ?? null,
      max: f.max ?? null,
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
      punishes_unchanged: c.punishesUnchanged ?? false,
    },
    force_warning: forceWarning(p),
  };
}
