import type { Secret } from '../util/secret';
import { eachGroup, readEndpoint, result, send, statusFailure, WAIT } from './ddns-http';
import { clip, readSettings, snippet } from './rest';
import type { Outcome, ProviderContext, ProviderDef, RecordUpdate, UpdateResult } from './types';

/**
 * Namecheap Dynamic DNS (providers.md §7): `GET /update?host=<sub|@|*>&domain=<zone>&
 * password=<per-domain DDNS password>&ip=<v4>`, IPv4 only, one name per request. The answer
 * is XML with HTTP 200 even for errors: success is `ErrCount` 0 with `<IP>` equal to the
 * address sent. The password is in the query string, so it is masked in everything printed.
 */

const TITLE = 'Namecheap';
const URL_DEFAULT = 'https://dynamicdns.park-your-domain.com/update';

interface Settings {
  url: string;
  password: Secret;
  zone: string;
  proxy?: string;
  secrets: Secret[];
}

export const namecheap: ProviderDef = {
  id: 'namecheap',
  title: 'Namecheap Dynamic DNS',
  aliases: ['namecheap.com'],
  docs: 'https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/',
  defaultEndpoint: URL_DEFAULT,
  fields: [
    { name: 'password', label: 'Dynamic DNS password', type: 'password', required: true, secret: true, help: 'The domain\'s Dynamic DNS password (Advanced DNS page), not the account password.' },
    { name: 'zone', label: 'Domain', type: 'hostname', help: 'The domain registered at Namecheap, e.g. example.co.uk. Empty: the last two labels of each name.' },
  ],
  capabilities: {
    ipv4: true, ipv6: false, dualStackOneRequest: false, hostsPerRequest: 1,
    ttl: false, proxied: false, read: false, credentialTest: false,
  },
  settings: (input) => readSettings(input, (o): Settings => {
    const password = o.secret('password');
    const zone = o.string('zone').toLowerCase().replace(/\.$/, '');
    const { url, proxy } = readEndpoint(o, input, URL_DEFAULT);
    return { url, password, zone, proxy, secrets: o.secrets };
  }),
  create: (s: Settings) => ({ update: (updates, ctx) => update(s, updates, ctx) }),
};

/** `www.example.com` in `example.com` → `www`; the apex → `@`; `*.example.com` → `*`. */
export function splitName(name: string, zone: string): { host: string; domain: string } | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  const z = zone || n.split('.').slice(-2).join('.');
  if (n === z) return { host: '@', domain: z };
  if (n.endsWith('.' + z)) return { host: n.slice(0, -(z.length + 1)), domain: z };
  return undefined;
}

function update(s: Settings, updates: RecordUpdate[], ctx: ProviderContext): Promise<UpdateResult[]> {
  return eachGroup(updates, updates.map((u) => [u]), s.secrets, async ([u]) => [await send1(s, u, ctx)]);
}

async function send1(s: Settings, u: RecordUpdate, ctx: ProviderContext): Promise<UpdateResult> {
  if (u.record.type !== 'A') return result(u, 'config', `${TITLE} Dynamic DNS sets IPv4 (A) records only, not ${u.record.type}`, s.secrets);
  const parts = splitName(u.record.name, s.zone);
  if (!parts) return result(u, 'config', `${u.record.name} is not inside the domain ${s.zone}; check option zone`, s.secrets);
  const params = new URLSearchParams({ host: parts.host, domain: parts.domain, password: s.password.reveal(), ip: u.address });
  const call = { title: TITLE, what: `update ${u.record.name}` };
  const res = await send(ctx, { ...call, req: { method: 'GET', url: `${s.url}?${params.toString().replace(/%40/g, '@').replace(/%2A/gi, '*')}`, proxy: s.proxy }, secrets: s.secrets });
  const f = statusFailure(res, call, (ctx.now ?? Date.now)());
  if (f) throw f;
  return classify(res.body, u, s);
}

/**
 * The text of the first `<name>…</name>` (no markup inside), trimmed. Found by position, not
 * by a pattern: `<x>\\s*([^<]*?)\\s*</x>` backtracks cubically over a run of blanks, and a
 * reply of 5 kB of them held the daemon for 44 s.
 */
function tag(xml: string, name: string): string | undefined {
  const lower = xml.toLowerCase();
  const open = `<${name.toLowerCase()}>`;
  const start = lower.indexOf(open);
  if (start < 0) return undefined;
  const end = lower.indexOf(`</${name.toLowerCase()}>`, start + open.length);
  const inner = end < 0 ? undefined : xml.slice(start + open.length, end);
  return inner === undefined || inner.includes('<') ? undefined : inner.trim();
}

function classify(xml: string, u: RecordUpdate, s: Settings): UpdateResult {
  const count = tag(xml, 'ErrCount');
  if (count === undefined) {
    return result(u, 'transient', `${TITLE} answered "${snippet(xml)}", not its XML reply; will retry`, s.secrets, WAIT.unexpected);
  }
  if (count !== '0') {
    const err = tag(xml, 'Err1') ?? `${count} error(s)`;
    return result(u, errorOutcome(err), `${TITLE} refused to update ${u.record.name}: ${clip(err)}`, s.secrets);
  }
  const ip = tag(xml, 'IP');
  if (ip !== undefined && ip !== u.address) {
    return result(u, 'transient', `${TITLE} reported ${clip(ip, 60)} for ${u.record.name} instead of ${u.address}; will retry`, s.secrets, WAIT.unexpected);
  }
  const r = result(u, 'ok', `${TITLE} set ${u.record.name} A to ${u.address}`, s.secrets);
  if (ip) r.address = ip;
  return r;
}

/** Namecheap's error texts: a password mismatch, a missing record or domain, or something to fix. */
function errorOutcome(text: string): Outcome {
  if (/password/i.test(text)) return 'auth';
  if (/not found|no records updated|no domain|invalid domain/i.test(text)) return 'nohost';
  return 'config';
}
