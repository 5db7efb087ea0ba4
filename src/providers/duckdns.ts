import type { Secret } from '../util/secret';
import { addressOf, byName, eachGroup, readEndpoint, result, send, statusFailure, WAIT } from './ddns-http';
import { readSettings, snippet } from './rest';
import type { ProviderContext, ProviderDef, RecordUpdate, UpdateResult } from './types';

/**
 * DuckDNS (providers.md §2): `GET /update?domains=a,b&token=T&ip=&ipv6=&verbose=true`.
 * Names go as sub-names (no `.duckdns.org`); both families in one request, because a
 * request without `ip` lets the server take the connection's IPv4. The token travels in the
 * query string, so it is masked in everything we print.
 */

const TITLE = 'DuckDNS';
const URL_DEFAULT = 'https://www.duckdns.org/update';
const SUFFIX = '.duckdns.org';
const MAX_NAMES = 20;

interface Settings {
  url: string;
  token: Secret;
  proxy?: string;
  secrets: Secret[];
}

export const duckdns: ProviderDef = {
  id: 'duckdns',
  title: 'DuckDNS',
  aliases: ['duckdns.org'],
  docs: 'https://www.duckdns.org/spec.jsp',
  defaultEndpoint: URL_DEFAULT,
  fields: [
    { name: 'password', label: 'Token', type: 'password', required: true, secret: true, help: 'The account token shown on the DuckDNS page.' },
  ],
  capabilities: {
    ipv4: true, ipv6: true, dualStackOneRequest: true, hostsPerRequest: MAX_NAMES,
    ttl: false, proxied: false, read: false, credentialTest: false,
  },
  settings: (input) => readSettings(input, (o): Settings => {
    const token = o.secret('password');
    const { url, proxy } = readEndpoint(o, input, URL_DEFAULT);
    return { url, token, proxy, secrets: o.secrets };
  }),
  create: (s: Settings) => ({ update: (updates, ctx) => update(s, updates, ctx) }),
};

/** `home.duckdns.org` → `home`; undefined for names outside duckdns.org. */
export function subName(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!n.endsWith(SUFFIX)) return undefined;
  const sub = n.slice(0, -SUFFIX.length);
  return sub && !sub.includes('.') ? sub : sub.split('.').pop() || undefined;
}

function update(s: Settings, updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  // Names sharing the same pair of addresses go together, up to MAX_NAMES per request.
  const groups = new Map<string, RecordUpdate[][]>();
  const outside: RecordUpdate[] = [];
  for (const [name, list] of byName(updates)) {
    if (!subName(name)) {
      outside.push(...list);
      continue;
    }
    const key = `${addressOf(list, 'A') ?? ''}|${addressOf(list, 'AAAA') ?? ''}`;
    const chunks = groups.get(key) ?? [[]];
    if (new Set(chunks[chunks.length - 1].map((u) => u.record.name)).size >= MAX_NAMES) chunks.push([]);
    chunks[chunks.length - 1].push(...list);
    groups.set(key, chunks);
  }
  const all = [...groups.values()].flat();
  if (outside.length) all.push(outside);
  return eachGroup(updates, all, s.secrets, (g) => (g === outside ? Promise.resolve(notDuck(g, s)) : send1(s, g, ctx)));
}

function notDuck(list: RecordUpdate[], s: Settings): UpdateResult[] {
  return list.map((u) => result(u, 'config', `${TITLE} only serves names under duckdns.org, not ${u.record.name}`, s.secrets));
}

async function send1(s: Settings, list: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  const names = [...new Set(list.map((u) => subName(u.record.name)!))];
  const params = new URLSearchParams({ domains: names.join(','), token: s.token.reveal() });
  const v4 = addressOf(list, 'A');
  const v6 = addressOf(list, 'AAAA');
  if (v4) params.set('ip', v4);
  if (v6) params.set('ipv6', v6);
  params.set('verbose', 'true');
  const call = { title: TITLE, what: `update ${names.join(', ')}` };
  const res = await send(ctx, {
    ...call,
    req: { method: 'GET', url: `${s.url}?${params.toString().replace(/%2C/gi, ',').replace(/%3A/gi, ':')}`, proxy: s.proxy },
    secrets: s.secrets,
  });
  const f = statusFailure(res, call, (ctx.now ?? Date.now)());
  if (f) throw f;
  return classify(res.body, list, s);
}

/** `OK` / `KO`; verbose adds the addresses and `UPDATED` or `NOCHANGE`. */
function classify(body: string, list: RecordUpdate[], s: Settings): UpdateResult[] {
  const lines = body.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] === 'KO') {
    return list.map((u) => result(u, 'auth', `${TITLE} answered KO for ${u.record.name}: the token is wrong or the name is not in this account`, s.secrets));
  }
  if (lines[0] !== 'OK') {
    return list.map((u) => result(u, 'transient', `${TITLE} answered "${snippet(body)}"; will retry`, s.secrets, WAIT.unexpected));
  }
  const nochg = lines[3] === 'NOCHANGE';
  return list.map((u) => {
    const r = result(u, nochg ? 'nochg' : 'ok', `${TITLE} set ${u.record.name} ${u.record.type} to ${u.address}${nochg ? ' (no change)' : ''}`, s.secrets);
    const echoed = u.record.type === 'A' ? lines[1] : lines[2];
    if (echoed) r.address = echoed;
    return r;
  });
}
