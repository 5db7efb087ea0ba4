import { Secret } from '../util/secret';
import { COUNT_PATTERN, isHttpUrl } from './values';
import { judgeRange, rule, type OptionRule } from './rules';
import { bool } from './service';
import { ALLOW_INSECURE_HTTP, checkUrlInClear } from './insecure-http';
import { SectionReader } from './section-reader';
import type { ConfigProblem } from './types';
import type { UciSection } from './uci';

/**
 * `config notify 'NAME'` sections: where record events (an update, a block, a block lifted)
 * are sent besides the ubus event and /etc/hotplug.d/ddnsd. Validated like services: every bad
 * value is a problem naming section, option and value; a bad notify section is skipped and
 * never stops a service. The engine's sender is engine/notify.ts.
 */

export const NOTIFY_TYPES = ['webhook', 'ntfy', 'gotify'] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];
export const NOTIFY_EVENTS = ['update', 'blocked', 'unblocked'] as const;
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

/**
 * The rules of the notify options as data (config/rules.ts's form): readNotify checks with
 * them and the `providers` reply publishes them (`notify_options`) for LuCI. `priority` has one
 * rule per type: ntfy's 1 (min) … 5 (max), Gotify's 0 … 10; a webhook has none.
 */
export const NOTIFY_RULES: readonly OptionRule[] = [
  rule('notify', 'type', { type: 'choice', choices: [...NOTIFY_TYPES] }),
  rule('notify', 'url', { type: 'url', help: 'an http:// or https:// URL' }),
  rule('notify', 'event', { type: 'choice', list: true, choices: [...NOTIFY_EVENTS], help: `${NOTIFY_EVENTS.join(', ')} (default: all)` }),
  ...(['ntfy', 'gotify'] as const).map((type) => {
    const [min, max] = type === 'ntfy' ? [1, 5] : [0, 10];
    return rule('notify', 'priority', { type: 'number', pattern: COUNT_PATTERN, min, max, depends: { type }, help: `a whole number from ${min} to ${max} for ${type}` });
  }),
];

function notifyRule(name: string, type?: NotifyType): OptionRule | undefined {
  return NOTIFY_RULES.find((r) => r.name === name && (r.depends === undefined || r.depends.type === type));
}

export interface NotifyConfig {
  /** UCI section name: names the section in logs, status and `ddnsd test --notify`. */
  name: string;
  enabled: boolean;
  type: NotifyType;
  /** ntfy: the topic URL; gotify: the server's base URL; webhook: where the JSON is POSTed. */
  url: string;
  /** ntfy: Bearer access token (optional); gotify: application token (required); webhook: optional Bearer. */
  token?: Secret;
  /** `list event`: which actions are sent (default all three). */
  events: NotifyEventName[];
  /** `list service`: only events of these services (empty: every service). */
  services: string[];
  priority?: number;
  /** The section's options but the token, as read: with the token (Secret.equals) it tells a reload whether the section changed. */
  key: string;
}

/** Unchanged by a reload: the sender keeps its queue and history. */
export function sameNotify(a: NotifyConfig, b: NotifyConfig): boolean {
  return a.key === b.key && (a.token === undefined ? b.token === undefined : a.token.equals(b.token));
}

/** Read one `config notify` section; undefined (with problems) when it cannot be used. */
export function readNotify(section: UciSection, problems: ConfigProblem[], serviceNames: readonly string[]): NotifyConfig | undefined {
  const r = new SectionReader(section, problems, (o) => o === 'token');
  if (section.anonymous) {
    r.error(undefined, undefined, `notify sections need a name (config notify 'NAME'), found an unnamed one at line ${section.line}`);
  }
  const enabled = bool(r, 'enabled', true);
  const typeRead = r.single('type');
  let type: NotifyType | undefined;
  if (!typeRead) r.error('type', undefined, `required: ${NOTIFY_TYPES.join(', ')}`);
  else if ((NOTIFY_TYPES as readonly string[]).includes(typeRead.text)) type = typeRead.text as NotifyType;
  else r.invalid('type', typeRead, NOTIFY_TYPES.join(', '));

  const urlRead = r.single('url');
  const url = urlRead?.text;
  if (!urlRead) r.error('url', undefined, `required: ${urlHelp(type)}`);
  else if (!isHttpUrl(urlRead.text)) r.invalid('url', urlRead, urlHelp(type));
  else if (type === 'gotify' && /[?&]token=/.test(urlRead.text)) {
    r.error('url', undefined, 'holds token= in its query: put the application token in option token (it is sent as the X-Gotify-Key header, never in the URL)');
  }

  const tokenRead = r.single('token');
  const token = tokenRead && tokenRead.text !== '' ? new Secret(tokenRead.text) : undefined;
  if (type === 'gotify' && !token) r.error('token', undefined, "required for gotify: the application token (Gotify's Apps page)");

  const events = listOf(r, 'event', NOTIFY_EVENTS);
  const services = r.many('service')?.items ?? [];
  const known = services.filter((s, i) => services.indexOf(s) === i);
  for (const s of known) {
    if (!serviceNames.includes(s)) r.warn('service', s, `'${s}' is not a service section of this file; events of no other service are sent here`);
  }

  let priority: number | undefined;
  const prio = r.single('priority');
  const range = notifyRule('priority', type);
  if (prio && type === 'webhook') r.warn('priority', prio.text, 'only ntfy and gotify have a priority; it is ignored for a webhook', prio.line);
  else if (prio && range) {
    const verdict = judgeRange(range, prio.text);
    if (!verdict.ok) r.invalid('priority', prio, range.help);
    else priority = verdict.value;
  }

  const allowHttp = bool(r, ALLOW_INSECURE_HTTP, false);
  if (url && isHttpUrl(url)) checkUrlInClear(r, 'url', url, token ? ['token'] : [], allowHttp);
  for (const o of r.unused()) {
    r.warn(o.name, undefined, 'unknown option for a notify section; it is ignored (enabled, type, url, token, event, service, priority, allow_insecure_http)', o.line);
  }
  if (r.errors > 0 || !type || !url) return undefined;
  return {
    name: section.name, enabled, type, url, ...(token ? { token } : {}), events, services: known,
    ...(priority !== undefined ? { priority } : {}),
    key: JSON.stringify([section.name, section.options.filter((o) => o.name !== 'token').map((o) => [o.name, o.value])]),
  };
}

function urlHelp(type: NotifyType | undefined): string {
  switch (type) {
    case 'ntfy':
      return "the topic's http(s) URL (https://ntfy.sh/my-topic)";
    case 'gotify':
      return "the Gotify server's http(s) base URL (https://gotify.example.com); ddnsd posts to its /message";
    default:
      return 'the http(s) URL the JSON is POSTed to';
  }
}

function listOf<T extends string>(r: SectionReader, name: string, allowed: readonly T[]): T[] {
  const got = r.many(name);
  if (!got) return [...allowed];
  const out: T[] = [];
  for (const text of got.items) {
    if (!(allowed as readonly string[]).includes(text)) r.invalid(name, { text, line: got.line }, allowed.join(', '));
    else if (!out.includes(text as T)) out.push(text as T);
  }
  return out;
}
