import { basicAuth, type HttpResponse } from '../net/http';
import type { Secret } from '../util/secret';
import { addressOf, byName, eachGroup, readEndpoint, result, send, statusFailure } from './ddns-http';
import { knownCode, parseReply } from './dyndns2-reply';
import { clip, OptionReader, ProviderFailure } from './rest';
import type { FieldSpec, ProviderContext, ProviderDef, ProviderInput, RecordUpdate, SettingsResult, UpdateResult } from './types';

/**
 * The dyndns2 protocol (`GET /nic/update?hostname=h1,h2&myip=v4,v6` with Basic auth, text
 * answers), as the generic `dyndns2` provider for any server and as the base of the
 * presets in dyndns2-presets.ts. One request carries every name that shares an address
 * (up to the provider's limit) and, where the provider needs it, both families.
 */

export interface Dyndns2Profile {
  id: string;
  title: string;
  aliases: string[];
  docs?: string;
  /** The full update URL; absent for the generic provider, whose `endpoint` is required. */
  url?: string;
  ipv6: boolean;
  /**
   * Both families in one request: `comma` = `myip=v4,v6` (Dyn, No-IP: sending one family
   * deletes the other), `dynu` = `myip=` and `myipv6=` with `no` for the family left alone.
   */
  dualStack?: 'comma' | 'dynu';
  /** Names per request (Dyn: 20). */
  maxHosts: number;
  /** Fixed parameters the provider wants on every request (OVH: `system=dyndns`). */
  query?: Record<string, string>;
  /** The Basic-auth user is the record's own name (Hurricane Electric). */
  userIsHostname?: boolean;
  /** The User-Agent in the form the provider asks for, from `ddnsd/<version>`. */
  userAgent?: (base: string, contact: string) => string;
  fields: FieldSpec[];
}

export const USERNAME: FieldSpec = {
  name: 'username',
  label: 'Username',
  type: 'string',
  required: true,
  help: 'The account (or host) login the provider gave you.',
  // HTTP Basic authentication joins user and password with ':', so a ':' in the user cannot be sent.
  pattern: '^[^:]*$',
  patternHelp: "text without ':' (HTTP Basic authentication cannot carry it in a user name)",
};
export const PASSWORD: FieldSpec = { name: 'password', label: 'Password', type: 'password', required: true, secret: true, help: 'Sent only in the Authorization header. Over plain http (to any host but this router) only with "Allow credentials over plain http" ticked.' };

export const GENERIC: Dyndns2Profile = {
  id: 'dyndns2',
  title: 'dyndns2 protocol (any server)',
  aliases: [],
  ipv6: true,
  maxHosts: 1,
  fields: [
    {
      name: 'endpoint', label: 'Update URL', type: 'url', required: true,
      help: 'The server\'s update address, e.g. https://dyn.example.net/nic/update (a bare https://host gets /nic/update).',
    },
    USERNAME,
    PASSWORD,
  ],
};

/** dyndns2 servers answer a host outside the account with 403 or 404 before any return code. */
const STATUSES = { 403: 'nohost', 404: 'nohost' } as const;

export function dyndns2Def(p: Dyndns2Profile): ProviderDef {
  return {
    id: p.id,
    title: p.title,
    aliases: p.aliases,
    fields: p.fields,
    capabilities: {
      ipv4: true, ipv6: p.ipv6, dualStackOneRequest: p.dualStack !== undefined, hostsPerRequest: p.maxHosts,
      ttl: false, proxied: false, read: false, credentialTest: false,
      // dyndns2 servers answer `nochg` to an unchanged address and block names that collect too many.
      punishesUnchanged: true,
    },
    defaultEndpoint: p.url,
    statuses: STATUSES,
    docs: p.docs,
    settings: (input) => dyndns2Settings(p, input),
    create: (s: Settings) => ({ update: (updates, ctx) => update(p, s, updates, ctx) }),
  };
}

interface Settings {
  url: string;
  username: string;
  password: Secret;
  contact: string;
  proxy?: string;
  secrets: Secret[];
}

function dyndns2Settings(p: Dyndns2Profile, options: ProviderInput): SettingsResult<Settings> {
  const o = new OptionReader(options);
  const username = p.userIsHostname ? o.string('username') : o.string('username', true);
  const password = o.secret('password');
  const contact = o.string('contact');
  const { url, proxy, endpoint } = readEndpoint(o, options, p.url ?? 'https://dyndns2.invalid/nic/update');
  if (!p.url && !endpoint) o.problem('endpoint', 'option endpoint is required: the address of the dyndns2 server');
  return o.result({ url, username, password, contact, proxy, secrets: o.secrets });
}


/** One request's worth: names sharing the same addresses. */
export interface Batch {
  hosts: string[];
  v4?: string;
  v6?: string;
  /** The updates each host answers for (A and/or AAAA). */
  records: RecordUpdate[][];
}

/** Split updates into requests: same addresses together, both families together where the profile says. */
export function batches(p: Dyndns2Profile, updates: RecordUpdate[]): Batch[] {
  const groups = new Map<string, Batch>();
  const max = p.userIsHostname ? 1 : Math.max(1, p.maxHosts);
  const out: Batch[] = [];
  const add = (key: string, host: string, list: RecordUpdate[], v4?: string, v6?: string) => {
    let b = groups.get(key);
    if (!b || b.hosts.length >= max) {
      b = { hosts: [], v4, v6, records: [] };
      groups.set(key, b);
      out.push(b);
    }
    b.hosts.push(host);
    b.records.push(list);
  };
  for (const [host, list] of byName(updates)) {
    const v4 = addressOf(list, 'A');
    const v6 = addressOf(list, 'AAAA');
    if (p.dualStack) {
      add(`${v4 ?? ''}|${v6 ?? ''}`, host, list, v4, v6);
      continue;
    }
    if (v4 !== undefined) add(`4|${v4}`, host, list.filter((u) => u.record.type === 'A'), v4, undefined);
    if (v6 !== undefined) add(`6|${v6}`, host, list.filter((u) => u.record.type === 'AAAA'), undefined, v6);
  }
  return out;
}

/** Query values keep `,` and `:` readable, as dyndns2 servers expect them. */
function q(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

export function requestUrl(p: Dyndns2Profile, base: string, b: Batch): string {
  const params: [string, string][] = Object.entries(p.query ?? {});
  params.push(['hostname', b.hosts.join(',')]);
  if (p.dualStack === 'dynu') {
    params.push(['myip', b.v4 ?? 'no'], ['myipv6', b.v6 ?? 'no']);
  } else {
    params.push(['myip', [b.v4, b.v6].filter((x) => x !== undefined).join(',')]);
  }
  const sep = base.includes('?') ? '&' : '?';
  return base + sep + params.map(([k, v]) => `${q(k)}=${q(v)}`).join('&');
}

function update(p: Dyndns2Profile, s: Settings, updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  const list = batches(p, updates);
  const byGroup = new Map(list.map((b) => [b.records.flat(), b] as const));
  return eachGroup(updates, [...byGroup.keys()], s.secrets, async (flat) => {
    const b = byGroup.get(flat)!;
    const res = await send(ctx, {
      title: p.title,
      what: `update ${b.hosts.join(', ')}`,
      req: {
        method: 'GET', url: requestUrl(p, s.url, b), proxy: s.proxy,
        headers: { Authorization: basicAuth(p.userIsHostname && !s.username ? b.hosts[0] : s.username, s.password) },
        userAgent: p.userAgent?.(ctx.userAgent, s.contact),
      },
      secrets: s.secrets,
    });
    return classify(p, s, b, res, ctx);
  });
}

/** One result per record of the batch, in `b.records.flat()` order. */
function classify(p: Dyndns2Profile, s: Settings, b: Batch, res: HttpResponse, ctx: ProviderContext): UpdateResult[] {
  const now = (ctx.now ?? Date.now)();
  const call = { title: p.title, what: `update ${b.hosts.join(', ')}` };
  const bodyCode = knownCode(res.body.trim().split(/\s+/)[0] ?? '');
  const hard = res.status === 401 || res.status === 429 || res.status >= 500;
  if (hard || (res.status >= 300 && !bodyCode)) {
    throw statusFailure(res, call, now, STATUSES)
      ?? new ProviderFailure('config', `${p.title} answered HTTP ${res.status} to "${call.what}"; check the endpoint`);
  }
  const parsed = parseReply(res.body, b.hosts.length);
  for (const w of parsed.warnings) ctx.log.warn(`${p.title}: ${clip(w)}`);
  const out: UpdateResult[] = [];
  parsed.hosts.forEach((h, i) => {
    for (const u of b.records[i]) {
      const v = h.verdict;
      const said = h.line ? `"${clip(h.line, 120)}"` : 'nothing';
      const text = v.outcome === 'ok' || v.outcome === 'nochg'
        ? `${p.title} set ${u.record.name} ${u.record.type} to ${u.address} (${said})`
        : `${p.title} answered ${said} for ${u.record.name}: ${v.meaning}`;
      if (v.outcome === 'nochg') ctx.log.warn(`${p.title}: ${u.record.name} already had ${u.address} (nochg); repeated nochg answers can get the name blocked`);
      const r = result(u, v.outcome, text, s.secrets, v.waitMs);
      const echo = h.echoed.find((a) => (u.record.type === 'A') === !a.includes(':'));
      if (echo && (v.outcome === 'ok' || v.outcome === 'nochg')) r.address = echo;
      out.push(r);
    }
  });
  return out;
}
