import { basicAuth } from '../net/http';
import type { Secret } from '../util/secret';
import { addressOf, byName, eachGroup, readEndpoint, result, send, statusFailure, WAIT } from './ddns-http';
import { readSettings, snippet } from './rest';
import type { ProviderContext, ProviderDef, RecordUpdate, UpdateResult } from './types';

/**
 * deSEC's dynDNS endpoint (providers.md §9). A family left out of the request falls back to
 * the connection's address and an empty value deletes the record, so every request names
 * both: the address, or `preserve` for the family this service does not manage.
 */

const TITLE = 'deSEC';
const URL_DEFAULT = 'https://update.dedyn.io/';

interface Settings {
  url: string;
  username: string;
  token: Secret;
  proxy?: string;
  secrets: Secret[];
}

/** deSEC answers a name outside the account with 403 or 404 (update API docs). */
const STATUSES = { 403: 'nohost', 404: 'nohost' } as const;

export const desec: ProviderDef = {
  statuses: STATUSES,
  id: 'desec',
  title: 'deSEC (dedyn.io)',
  aliases: ['desec.io'],
  docs: 'https://desec.readthedocs.io/en/latest/dyndns/update-api.html',
  defaultEndpoint: URL_DEFAULT,
  fields: [
    { name: 'password', label: 'Token', type: 'password', required: true, secret: true, help: 'A deSEC token allowed to change these names.' },
    { name: 'username', label: 'Domain (login)', type: 'hostname', help: 'The domain registered at deSEC; empty: each record\'s own name.' },
  ],
  capabilities: {
    ipv4: true, ipv6: true, dualStackOneRequest: true, hostsPerRequest: 1,
    ttl: false, proxied: false, read: false, credentialTest: false,
  },
  settings: (input) => readSettings(input, (o): Settings => {
    const token = o.secret('password');
    const username = o.string('username');
    const { url, proxy } = readEndpoint(o, input, URL_DEFAULT);
    return { url, username, token, proxy, secrets: o.secrets };
  }),
  create: (s: Settings) => ({ update: (updates, ctx) => update(s, updates, ctx) }),
};

function update(s: Settings, updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  const groups = [...byName(updates).values()];
  return eachGroup(updates, groups, s.secrets, (list) => updateHost(s, list[0].record.name, list, ctx));
}

async function updateHost(s: Settings, host: string, list: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  const v4 = addressOf(list, 'A') ?? 'preserve';
  const v6 = addressOf(list, 'AAAA') ?? 'preserve';
  const query = new URLSearchParams({ hostname: host, myipv4: v4, myipv6: v6 }).toString().replace(/%3A/gi, ':');
  const call = { title: TITLE, what: `update ${host}` };
  const res = await send(ctx, {
    ...call,
    req: { method: 'GET', url: `${s.url}${s.url.includes('?') ? '&' : '?'}${query}`, proxy: s.proxy, headers: { Authorization: basicAuth(s.username || host, s.token) } },
    secrets: s.secrets,
  });
  const f = statusFailure(res, call, (ctx.now ?? Date.now)(), STATUSES);
  if (f) throw f;
  const body = res.body.trim();
  if (/^good\b/.test(body)) return list.map((u) => result(u, 'ok', `${TITLE} set ${host} ${u.record.type} to ${u.address}`, s.secrets));
  return list.map((u) => result(u, 'transient', `${TITLE} answered HTTP ${res.status} with "${snippet(body)}" for ${host}; will retry`, s.secrets, WAIT.unexpected));
}
