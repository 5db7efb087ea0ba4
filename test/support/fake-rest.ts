import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stateful stand-ins for the REST DNS APIs ddnsd speaks (Cloudflare v4, DigitalOcean v2,
 * DNSimple v2, Gandi LiveDNS v5, Hetzner Cloud DNS, Porkbun v3), one server, one in-memory
 * zone per provider, under a path prefix per provider. Each answers the calls ddnsd makes in
 * the shape its API documents (shared/reference/providers.md and the providers' own docs,
 * the links in src/providers/*.ts), checks the credentials and the body of every request,
 * and counts requests, so tests and the bench can count what a change costs.
 * Scripted, exact exchanges are in test/support/fake-http.ts; this one is for counting.
 */

export const REST_TOKEN = 'fake-rest-token-7Yq2';
export const PORKBUN_KEYS = { apikey: 'pk1_fake7Yq2', secretapikey: 'sk1_fake7Yq2' };
export const REST_ZONE = 'example.com';

export type RestProviderId = 'cloudflare' | 'digitalocean' | 'dnsimple' | 'gandi' | 'hetzner' | 'porkbun';
export const REST_PROVIDERS: RestProviderId[] = ['cloudflare', 'digitalocean', 'dnsimple', 'gandi', 'hetzner', 'porkbun'];

const PREFIX: Record<RestProviderId, string> = {
  cloudflare: '/cloudflare/client/v4', digitalocean: '/digitalocean/v2', dnsimple: '/dnsimple/v2',
  gandi: '/gandi/v5/livedns', hetzner: '/hetzner/v1', porkbun: '/porkbun/api/json/v3',
};
const CF_ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';
const DNSIMPLE_ACCOUNT = '1010';

interface FakeRecord {
  id: string;
  name: string; // fully qualified, no trailing dot
  type: string;
  content: string;
  ttl: number;
}

export interface CountedRequest {
  provider: RestProviderId;
  method: string;
  /** Path without the provider's prefix, with the query. */
  url: string;
}

interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

type Reply = { status?: number; body: unknown };

export class FakeRest {
  readonly url: string;
  readonly requests: CountedRequest[] = [];
  readonly problems: string[] = [];
  readonly #zones = new Map<RestProviderId, FakeRecord[]>(REST_PROVIDERS.map((p) => [p, []]));
  #nextId = 1000;

  private constructor(private readonly server: http.Server, port: number) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<FakeRest> {
    let fake: FakeRest | undefined;
    const server = http.createServer((req, res) => fake!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    fake = new FakeRest(server, (server.address() as AddressInfo).port);
    return fake;
  }

  close(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** `option endpoint` for a provider. */
  endpoint(p: RestProviderId): string {
    return this.url + PREFIX[p];
  }

  /** The provider options (besides endpoint) a service needs for this fake. */
  options(p: RestProviderId): Record<string, string> {
    const base = { zone: REST_ZONE, create: '1' };
    return p === 'porkbun' ? { ...base, api_key: PORKBUN_KEYS.apikey, secret_api_key: PORKBUN_KEYS.secretapikey } : { ...base, api_token: REST_TOKEN };
  }

  /** Put a record in a provider's zone (as if made by hand). */
  seed(p: RestProviderId, name: string, type: string, content: string): void {
    this.#zones.get(p)!.push({ id: String(this.#nextId++), name, type, content, ttl: 300 });
  }

  /** What a provider's zone holds for a name and type. */
  contents(p: RestProviderId, name: string, type: string): string[] {
    return this.#zones.get(p)!.filter((r) => r.name === name && r.type === type).map((r) => r.content);
  }

  countFor(p: RestProviderId, since = 0): number {
    return this.requests.slice(since).filter((r) => r.provider === p).length;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const provider = REST_PROVIDERS.find((p) => u.pathname.startsWith(PREFIX[p] + '/'));
      const send = (r: Reply) => res.writeHead(r.status ?? 200, { 'content-type': 'application/json' }).end(r.body === undefined ? '' : JSON.stringify(r.body));
      if (!provider) {
        this.problems.push(`request to no provider: ${req.method} ${req.url}`);
        return send({ status: 404, body: { message: 'not found' } });
      }
      const rest = u.pathname.slice(PREFIX[provider].length);
      this.requests.push({ provider, method: req.method ?? '', url: rest + u.search });
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        this.problems.push(`${provider}: body is not JSON: ${req.method} ${rest}`);
        return send({ status: 400, body: { message: 'bad JSON' } });
      }
      const r: Req = { method: req.method ?? '', path: rest, query: u.searchParams, headers: req.headers, body };
      const authProblem = this.auth(provider, r);
      if (authProblem) {
        this.problems.push(`${provider}: ${authProblem}`);
        return send({ status: 401, body: { message: authProblem } });
      }
      const reply = this.route(provider, r);
      if (!reply) {
        this.problems.push(`${provider}: unexpected request ${r.method} ${rest}${u.search}`);
        return send({ status: 404, body: { message: 'no such route in the fake' } });
      }
      send(reply);
    });
  }

  private auth(p: RestProviderId, r: Req): string | undefined {
    if (p === 'porkbun') {
      const b = r.body as Record<string, unknown> | undefined;
      return b?.apikey === PORKBUN_KEYS.apikey && b?.secretapikey === PORKBUN_KEYS.secretapikey ? undefined : 'missing or wrong API keys in the body';
    }
    const want = `Bearer ${REST_TOKEN}`;
    return r.headers.authorization === want ? undefined : 'missing or wrong Authorization header';
  }

  private zone(p: RestProviderId): FakeRecord[] {
    return this.#zones.get(p)!;
  }

  private find(p: RestProviderId, name: string, type: string): FakeRecord[] {
    return this.zone(p).filter((x) => x.name === name && x.type === type);
  }

  private byId(p: RestProviderId, id: string): FakeRecord | undefined {
    return this.zone(p).find((x) => x.id === id);
  }

  private add(p: RestProviderId, name: string, type: string, content: unknown, ttl: unknown): FakeRecord | undefined {
    if (typeof content !== 'string' || content === '') return undefined;
    const rec = { id: String(this.#nextId++), name, type, content, ttl: Number(ttl) || 300 };
    this.zone(p).push(rec);
    return rec;
  }

  private route(p: RestProviderId, r: Req): Reply | undefined {
    switch (p) {
      case 'cloudflare': return this.cloudflare(r);
      case 'digitalocean': return this.digitalocean(r);
      case 'dnsimple': return this.dnsimple(r);
      case 'gandi': return this.gandi(r);
      case 'hetzner': return this.hetzner(r);
      case 'porkbun': return this.porkbun(r);
    }
  }

  /** Cloudflare v4: every reply in the {success, errors, messages, result} envelope. */
  private cloudflare(r: Req): Reply | undefined {
    const ok = (result: unknown): Reply => ({ body: { success: true, errors: [], messages: [], result } });
    const shown = (x: FakeRecord) => ({ id: x.id, type: x.type, name: x.name, content: x.content, proxied: false, ttl: x.ttl, comment: null, tags: [] });
    if (r.method === 'GET' && r.path === '/zones') {
      return ok(r.query.get('name') === REST_ZONE ? [{ id: CF_ZONE_ID, name: REST_ZONE, status: 'active' }] : []);
    }
    const base = `/zones/${CF_ZONE_ID}/dns_records`;
    if (r.method === 'GET' && r.path === base) {
      return ok(this.find('cloudflare', r.query.get('name') ?? '', r.query.get('type') ?? '').map(shown));
    }
    const b = (r.body ?? {}) as Record<string, unknown>;
    if (r.method === 'POST' && r.path === base) {
      const made = this.add('cloudflare', String(b.name), String(b.type), b.content, b.ttl);
      return made ? ok(shown(made)) : undefined;
    }
    if (r.method === 'PATCH' && r.path.startsWith(base + '/')) {
      const rec = this.byId('cloudflare', r.path.slice(base.length + 1));
      if (!rec || typeof b.content !== 'string' || Object.keys(b).length !== 1) return undefined;
      rec.content = b.content;
      return ok(shown(rec));
    }
    return undefined;
  }

  /** DigitalOcean v2: names in replies are relative to the domain, `@` for the apex. */
  private digitalocean(r: Req): Reply | undefined {
    const base = `/domains/${REST_ZONE}/records`;
    const rel = (name: string) => (name === REST_ZONE ? '@' : name.slice(0, -(REST_ZONE.length + 1)));
    const shown = (x: FakeRecord) => ({ id: Number(x.id), type: x.type, name: rel(x.name), data: x.content, ttl: x.ttl });
    const b = (r.body ?? {}) as Record<string, unknown>;
    if (r.method === 'GET' && r.path === base) {
      const list = this.find('digitalocean', r.query.get('name') ?? '', r.query.get('type') ?? '');
      return { body: { domain_records: list.map(shown), links: {}, meta: { total: list.length } } };
    }
    if (r.method === 'POST' && r.path === base) {
      const fqdn = b.name === '@' ? REST_ZONE : `${String(b.name)}.${REST_ZONE}`;
      const made = this.add('digitalocean', fqdn, String(b.type), b.data, b.ttl);
      return made ? { status: 201, body: { domain_record: shown(made) } } : undefined;
    }
    if (r.method === 'PATCH' && r.path.startsWith(base + '/')) {
      const rec = this.byId('digitalocean', r.path.slice(base.length + 1));
      if (!rec || typeof b.data !== 'string') return undefined;
      rec.content = b.data;
      return { body: { domain_record: shown(rec) } };
    }
    return undefined;
  }

  /** DNSimple v2: {data: ...}; record names relative ('' for the apex). */
  private dnsimple(r: Req): Reply | undefined {
    if (r.method === 'GET' && r.path === '/whoami') {
      return { body: { data: { user: null, account: { id: Number(DNSIMPLE_ACCOUNT), email: 'owner@example.com', plan_identifier: 'teams-v1-monthly' } } } };
    }
    const base = `/${DNSIMPLE_ACCOUNT}/zones/${REST_ZONE}/records`;
    const fqdn = (rel: string) => (rel === '' ? REST_ZONE : `${rel}.${REST_ZONE}`);
    const rel = (name: string) => (name === REST_ZONE ? '' : name.slice(0, -(REST_ZONE.length + 1)));
    const shown = (x: FakeRecord) => ({ id: Number(x.id), zone_id: REST_ZONE, name: rel(x.name), content: x.content, ttl: x.ttl, type: x.type, system_record: false });
    const b = (r.body ?? {}) as Record<string, unknown>;
    if (r.method === 'GET' && r.path === base) {
      const list = this.find('dnsimple', fqdn(r.query.get('name') ?? ''), r.query.get('type') ?? '');
      return { body: { data: list.map(shown), pagination: { current_page: 1, per_page: 100, total_entries: list.length, total_pages: 1 } } };
    }
    if (r.method === 'POST' && r.path === base) {
      const made = this.add('dnsimple', fqdn(String(b.name ?? '')), String(b.type), b.content, b.ttl);
      return made ? { status: 201, body: { data: shown(made) } } : undefined;
    }
    if (r.path.startsWith(base + '/')) {
      const rec = this.byId('dnsimple', r.path.slice(base.length + 1));
      if (!rec) return { status: 404, body: { message: 'Record `x` not found' } };
      if (r.method === 'GET') return { body: { data: shown(rec) } };
      if (r.method === 'PATCH' && typeof b.content === 'string') {
        rec.content = b.content;
        return { body: { data: shown(rec) } };
      }
    }
    return undefined;
  }

  /** Gandi LiveDNS v5: one record set per name and type, PUT replaces it. */
  private gandi(r: Req): Reply | undefined {
    const m = new RegExp(`^/domains/${REST_ZONE.replace('.', '\\.')}/records/([^/]+)/(A|AAAA)$`).exec(r.path);
    if (!m) return undefined;
    const fqdn = m[1] === '@' ? REST_ZONE : `${decodeURIComponent(m[1])}.${REST_ZONE}`;
    const set = this.find('gandi', fqdn, m[2]);
    if (r.method === 'GET') {
      if (!set.length) return { status: 404, body: { code: 404, message: 'Can\'t find the DNS record', object: 'dns-record', cause: 'Not Found' } };
      return { body: { rrset_name: m[1], rrset_type: m[2], rrset_ttl: set[0].ttl, rrset_values: set.map((x) => x.content) } };
    }
    const b = (r.body ?? {}) as Record<string, unknown>;
    if (r.method === 'PUT' && Array.isArray(b.rrset_values) && b.rrset_values.length === 1) {
      const existed = set.length > 0;
      for (const x of set) this.zone('gandi').splice(this.zone('gandi').indexOf(x), 1);
      this.add('gandi', fqdn, m[2], String(b.rrset_values[0]), b.rrset_ttl);
      return { status: existed ? 200 : 201, body: { message: existed ? 'DNS Record Updated' : 'DNS Record Created' } };
    }
    return undefined;
  }

  /** Hetzner Cloud DNS: record sets by name and type; writes answer with an action. */
  private hetzner(r: Req): Reply | undefined {
    const action = (command: string) => ({ id: this.#nextId++, command, status: 'running', progress: 0, started: '2026-05-25T14:22:18Z', finished: null, resources: [], error: null });
    const notFound: Reply = { status: 404, body: { error: { code: 'not_found', message: 'RRSet not found', details: {} } } };
    const zonePath = `/zones/${REST_ZONE}`;
    const b = (r.body ?? {}) as Record<string, unknown>;
    // Writes answer with a running action; asked about, it has finished.
    const polled = /^\/zones\/actions\/(\d+)$/.exec(r.path);
    if (r.method === 'GET' && polled) return { body: { action: { ...action('set_rrset_records'), id: Number(polled[1]), status: 'success', progress: 100, finished: '2026-05-25T14:22:19Z' } } };
    if (r.method === 'POST' && r.path === `${zonePath}/rrsets`) {
      const fqdn = b.name === '@' ? REST_ZONE : `${String(b.name)}.${REST_ZONE}`;
      const value = (Array.isArray(b.records) ? b.records[0] : undefined) as { value?: unknown } | undefined;
      const made = this.add('hetzner', fqdn, String(b.type), value?.value, b.ttl);
      return made ? { status: 201, body: { rrset: { id: `${b.name}/${b.type}`, name: b.name, type: b.type, ttl: made.ttl, records: [{ value: made.content, comment: null }] }, action: action('create_rrset') } } : undefined;
    }
    const m = new RegExp(`^${zonePath.replace('.', '\\.')}/rrsets/([^/]+)/(A|AAAA)(/actions/set_records)?$`).exec(r.path);
    if (!m) return undefined;
    const fqdn = m[1] === '@' ? REST_ZONE : `${decodeURIComponent(m[1])}.${REST_ZONE}`;
    const set = this.find('hetzner', fqdn, m[2]);
    if (r.method === 'GET' && !m[3]) {
      if (!set.length) return notFound;
      return { body: { rrset: { id: `${m[1]}/${m[2]}`, name: m[1], type: m[2], ttl: set[0].ttl, records: set.map((x) => ({ value: x.content, comment: null })) } } };
    }
    if (r.method === 'POST' && m[3]) {
      if (!set.length) return notFound;
      const value = (Array.isArray(b.records) ? b.records[0] : undefined) as { value?: unknown } | undefined;
      if (typeof value?.value !== 'string') return undefined;
      set[0].content = value.value;
      return { status: 201, body: { action: action('set_rrset_records') } };
    }
    return undefined;
  }

  /** Porkbun v3: every call a POST with the keys in the body; {status: SUCCESS|ERROR}. */
  private porkbun(r: Req): Reply | undefined {
    if (r.method !== 'POST') return undefined;
    const b = (r.body ?? {}) as Record<string, unknown>;
    const byNameType = /^\/dns\/(retrieveByNameType|editByNameType)\/([^/]+)\/(A|AAAA)(?:\/([^/]+))?$/.exec(r.path);
    const shown = (x: FakeRecord) => ({ id: x.id, name: x.name, type: x.type, content: x.content, ttl: String(x.ttl), prio: '0', notes: '' });
    if (byNameType && byNameType[2] === REST_ZONE) {
      const fqdn = byNameType[4] ? `${decodeURIComponent(byNameType[4])}.${REST_ZONE}` : REST_ZONE;
      const set = this.find('porkbun', fqdn, byNameType[3]);
      if (byNameType[1] === 'retrieveByNameType') return { body: { status: 'SUCCESS', cloudflare: 'enabled', records: set.map(shown) } };
      if (!set.length || typeof b.content !== 'string') return { status: 400, body: { status: 'ERROR', message: 'Edit error: We were unable to edit the DNS record.' } };
      for (const x of set) x.content = b.content;
      return { body: { status: 'SUCCESS' } };
    }
    if (r.path === `/dns/create/${REST_ZONE}`) {
      const fqdn = b.name ? `${String(b.name)}.${REST_ZONE}` : REST_ZONE;
      const made = this.add('porkbun', fqdn, String(b.type), b.content, b.ttl);
      return made ? { body: { status: 'SUCCESS', id: Number(made.id) } } : undefined;
    }
    return undefined;
  }
}
