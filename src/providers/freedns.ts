import type { Secret } from '../util/secret';
import { eachGroup, endpointProblem, result, send, statusFailure, WAIT, withEndpoint } from './ddns-http';
import { readSettings, snippet } from './rest';
import type { Outcome, ProviderContext, ProviderDef, RecordUpdate, UpdateResult } from './types';

/**
 * FreeDNS (afraid.org) v2 sync (providers.md §14): `GET https://sync.afraid.org/u/<token>/`
 * for IPv4 and `https://v6.sync.afraid.org/u/<token>/` for IPv6, `?address=` naming the
 * address. The token stands for the names linked to it, so one request per family updates
 * them all; the names themselves are never sent. The token is in the path: it is a secret.
 */

const TITLE = 'FreeDNS';
const V4 = 'https://sync.afraid.org/';
const V6 = 'https://v6.sync.afraid.org/';

interface Settings {
  v4: string;
  v6: string;
  token: Secret;
  proxy?: string;
  secrets: Secret[];
}

/** FreeDNS answers an update token it does not know with 404. */
const STATUSES = { 404: 'auth' } as const;

export const freedns: ProviderDef = {
  statuses: STATUSES,
  id: 'freedns',
  title: 'FreeDNS (afraid.org)',
  aliases: ['afraid.org-v2-token', 'freedns.afraid.org'],
  docs: 'https://freedns.afraid.org/dynamic/v2/',
  defaultEndpoint: V4,
  fields: [
    { name: 'password', label: 'Update token', type: 'password', required: true, secret: true, help: 'The v2 randomized update token (the part after /u/ in the sync URL); it updates every name linked to it.' },
  ],
  capabilities: {
    ipv4: true, ipv6: true, dualStackOneRequest: false, hostsPerRequest: 20,
    ttl: false, proxied: false, read: false, credentialTest: false,
  },
  settings: (input) => readSettings(input, (o): Settings => {
    const token = o.secret('password');
    if (!token.empty && !/^[A-Za-z0-9_-]+$/.test(token.reveal())) o.problem('password', 'option password must be the update token alone (letters and digits), not a URL');
    const endpoint = (typeof input.endpoint === 'string' ? input.endpoint.trim() : '') || undefined;
    const bad = endpointProblem(endpoint);
    if (bad) o.problem('endpoint', bad);
    // An endpoint (a test, a mirror) serves both families.
    return {
      v4: bad ? V4 : withEndpoint(V4, endpoint), v6: bad || !endpoint ? V6 : withEndpoint(V6, endpoint),
      token, proxy: o.string('proxy') || undefined, secrets: o.secrets,
    };
  }),
  create: (s: Settings) => ({ update: (updates, ctx) => update(s, updates, ctx) }),
};

function update(s: Settings, updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  // One request per family and address: the token covers every name.
  const groups = new Map<string, RecordUpdate[]>();
  for (const u of updates) {
    const key = `${u.record.type}|${u.address}`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  return eachGroup(updates, [...groups.values()], s.secrets, (g) => send1(s, g, ctx));
}

async function send1(s: Settings, list: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  const type = list[0].record.type;
  const address = list[0].address;
  const base = (type === 'A' ? s.v4 : s.v6).replace(/\/+$/, '');
  const call = { title: TITLE, what: `update the IPv${type === 'A' ? 4 : 6} address of ${list.map((u) => u.record.name).join(', ')}` };
  const res = await send(ctx, {
    ...call,
    req: { method: 'GET', url: `${base}/u/${encodeURIComponent(s.token.reveal())}/?address=${encodeURIComponent(address).replace(/%3A/gi, ':')}`, proxy: s.proxy },
    secrets: s.secrets,
  });
  const f = statusFailure(res, call, (ctx.now ?? Date.now)(), STATUSES);
  if (f) throw f;
  const [outcome, why, wait] = classify(res.body);
  const said = snippet(res.body, 120);
  return list.map((u) => result(u, outcome, `${TITLE}: ${u.record.name} ${u.record.type} ${address}: ${why} ("${said}")`, s.secrets, wait));
}

/** `Updated …`, `No IP change detected …`, or a line with `ERROR`. */
function classify(body: string): [Outcome, string, number?] {
  const b = body.trim();
  if (/^Updated\b/i.test(b)) return ['ok', 'updated'];
  if (/No IP change detected/i.test(b)) return ['nochg', 'no change'];
  if (/ERROR/.test(b)) {
    if (/address/i.test(b) && !/token/i.test(b)) return ['config', 'the address was refused'];
    return ['auth', 'the token was not accepted'];
  }
  return ['transient', 'an answer FreeDNS does not document', WAIT.unexpected];
}
