import type { Outcome, ProviderContext, ProviderDef, ReadResult, RecordRef, RecordUpdate } from './types';
import {
  arr, badShape, baseSettings, bearerApi, cacheKey, createField, normName, obj, ProviderFailure, REST_CAPS, restCreate,
  RestApi, setRecord, str, tokenField, ttlField, written, zoneField, type BaseSettings, type FoundRecord, type OptionReader,
} from './rest';
import type { Secret } from '../util/secret';
import { sameAddress } from '../net/address';

/**
 * Cloudflare API v4 with an API token. The zone id and the record id are looked up once and
 * remembered, so a steady-state change is one PATCH. The PATCH carries `content` only: a PUT,
 * or a body with `proxied`, would turn proxied records into DNS-only ones and reset TTL and
 * comments (openwrt/packages#5097).
 *
 * Verification: a DNS query for a proxied record answers with Cloudflare's edge addresses,
 * never ours, so records here must be verified through the API (`read`), not through DNS.
 * That is why `capabilities.read` is true.
 */

const BASE = 'https://api.cloudflare.com/client/v4';
const TITLE = 'Cloudflare';
/** The TTL this API accepts for records ddnsd writes (check and LuCI apply the range). */
const TTL = { def: 1, min: 1, max: 86_400 };

/** Error codes that mean the token is wrong, malformed or lacks permission. */
const AUTH_CODES = new Set([6003, 6100, 6101, 6102, 6103, 6111, 9103, 9106, 9107, 9109, 10000, 10001]);
/** "Could not route to ...; perhaps your object identifier is invalid": a zone id that no longer exists. */
const STALE_ZONE_CODES = new Set([7000, 7003]);
/** "An identical record already exists.": the record asked for is there already. */
const IDENTICAL_RECORD = 81058;
/** Cloudflare's "please wait and consider throttling your request speed". */
const THROTTLE_CODES = new Set([971, 10429]);

interface Settings extends BaseSettings {
  token: Secret;
  proxied: boolean;
  /** `zone_id`: given by the user, so the zone is never looked up (tokens without Zone:Read). */
  zoneId?: string;
}

export const cloudflare: ProviderDef = {
  id: 'cloudflare',
  title: TITLE,
  aliases: ['cloudflare.com-v4', 'cloudflare.com'],
  fields: [
    tokenField('An API token with Zone → DNS → Edit permission for the zone (My Profile → API Tokens). The global API key is not accepted.'),
    { ...zoneField('The Cloudflare zone (domain) that holds the records, e.g. example.com. Not needed when zone_id is set.'), requiredUnless: 'zone_id' },
    {
      name: 'zone_id', label: 'Zone ID', type: 'string', pattern: '^[0-9a-fA-F]{32}$', patternHelp: 'the 32 hexadecimal digits of the zone id (Overview page, API section)',
      help: 'The zone id, for a token without Zone → Read permission: ddnsd then never looks the zone up by name.',
    },
    createField(),
    ttlField(TTL, 'TTL of records ddnsd creates; 1 means automatic. Existing records keep their TTL.'),
    {
      name: 'proxied', label: 'Proxy new records', type: 'boolean', default: '0',
      help: 'Whether records ddnsd creates go through Cloudflare\'s proxy. Existing records keep their setting: updates change the address only.',
    },
  ],
  capabilities: { ...REST_CAPS, proxied: true },
  defaultEndpoint: BASE,
  docs: 'https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/edit/',
  ...restCreate(
    (o, endpoint): Settings => ({
      token: o.secret('api_token'), ...zoneSettings(o, endpoint), proxied: o.bool('proxied'),
    }),
    (s, ctx) => new Session(s, ctx)),
};

/** The base settings; with a zone_id the zone name may be left out (the zone is never looked up by name then). */
function zoneSettings(o: OptionReader, endpoint: string | undefined): BaseSettings & { zoneId?: string } {
  const zoneId = o.string('zone_id').toLowerCase() || undefined;
  const base = baseSettings(o, endpoint, BASE, TTL, zoneId === undefined);
  return zoneId ? { ...base, zoneId } : base;
}

/** How messages name the zone: its name, else its id. */
function zoneLabel(s: Settings): string {
  return s.zone || `id ${s.zoneId}`;
}

function codes(data: unknown): number[] {
  return arr(obj(data)?.errors).map((e) => Number(obj(e)?.code)).filter(Number.isFinite);
}

function errorText(data: unknown): string | undefined {
  const list = arr(obj(data)?.errors).map((e) => `${str(obj(e)?.code) ?? '?'} ${str(obj(e)?.message) ?? ''}`.trim());
  return list.length ? list.join('; ') : undefined;
}

/** The envelope's error codes decide before the HTTP status does. */
function classify(_status: number, data: unknown): Outcome | undefined {
  const c = codes(data);
  if (c.some((x) => AUTH_CODES.has(x))) return 'auth';
  if (c.some((x) => THROTTLE_CODES.has(x))) return 'transient';
  return undefined;
}

class Session {
  readonly api: RestApi;

  constructor(readonly s: Settings, readonly ctx: ProviderContext) {
    this.api = bearerApi(ctx, s, s.token, { title: TITLE, errorText, classify, refused: (d) => obj(d)?.success === false });
  }

  set(u: RecordUpdate) {
    return this.withZone(async (zid) => {
      const key = cacheKey('cloudflare', this.s.base, zid, u.record.name, u.record.type);
      try {
        return await setRecord(this.ctx, u, {
          title: TITLE, zone: zoneLabel(this.s), key,
          lookup: () => this.lookup(zid, u.record),
          patch: async (id) => {
            const r = await this.api.call('PATCH', `/zones/${zid}/dns_records/${encodeURIComponent(id)}`,
              { body: { content: u.address }, what: `update ${u.record.type} ${u.record.name}` });
            return written(TITLE, u, str(obj(obj(r.data)?.result)?.content));
          },
          create: this.s.create ? () => this.createRecord(zid, u) : undefined,
        });
      } catch (e) {
        if (!(e instanceof ProviderFailure && codes(e.data).includes(IDENTICAL_RECORD))) throw e;
        return this.identical(zid, key, u, e);
      }
    });
  }

  /**
   * Error 81058 on a create or a change: Cloudflare holds a record equal to the one asked for
   * (made meanwhile by hand or by another client). That is what the user wants, not a
   * configuration error: read the records again and go on with the one that has the address.
   */
  private async identical(zid: string, key: string, u: RecordUpdate, e: ProviderFailure) {
    const { name, type } = u.record;
    const same = (await this.lookup(zid, u.record)).find((f) => sameAddress(f.content, u.address));
    if (!same) {
      throw new ProviderFailure('transient', `${TITLE}: ${e.message}, yet no ${type} record ${name} with ${u.address} shows on reading again; will try again`);
    }
    this.ctx.cache.set(key, same.id);
    this.ctx.log.info(`${TITLE}: ${type} ${name} with ${u.address} exists already (${e.message}); going on with record ${same.id}`);
    return { outcome: 'ok' as const, message: `${TITLE}: ${type} ${name} already points to ${u.address}`, address: same.content };
  }

  async readAll(records: RecordRef[]): Promise<ReadResult[]> {
    const out: ReadResult[] = [];
    for (const rec of records) {
      const found = await this.withZone((zid) => this.lookup(zid, rec));
      out.push({ record: rec, addresses: found.map((f) => f.content) });
    }
    return out;
  }

  async check(): Promise<string> {
    if (this.s.zoneId) {
      // A token without Zone:Read cannot GET /zones/{id}; listing one record needs only DNS:Read.
      await this.api.call('GET', `/zones/${this.s.zoneId}/dns_records`, { query: { per_page: '1' }, what: `read records of zone id ${this.s.zoneId}` });
      return `${TITLE}: the token can read the records of zone id ${this.s.zoneId}`;
    }
    const id = await this.zoneId();
    return `${TITLE}: the token can reach zone ${this.s.zone} (id ${id})`;
  }

  private async createRecord(zid: string, u: RecordUpdate) {
    const body = { type: u.record.type, name: u.record.name, content: u.address, ttl: this.s.ttl, proxied: this.s.proxied };
    const r = await this.api.call('POST', `/zones/${zid}/dns_records`, { body, what: `create ${u.record.type} ${u.record.name}` });
    const res = obj(obj(r.data)?.result);
    const id = str(res?.id);
    if (id === undefined) throw badShape(TITLE, 'create a record');
    return { id, result: written(TITLE, u, str(res?.content), true) };
  }

  private async lookup(zid: string, rec: RecordRef): Promise<FoundRecord[]> {
    const r = await this.api.call('GET', `/zones/${zid}/dns_records`, {
      query: { type: rec.type, name: rec.name }, what: `look up ${rec.type} ${rec.name}`,
    });
    const list = obj(r.data)?.result;
    if (!Array.isArray(list)) throw badShape(TITLE, 'list records');
    return list.map(obj).filter((x) => x !== undefined && x.type === rec.type && normName(String(x.name)) === normName(rec.name))
      .map((x) => ({ id: String(x!.id), content: String(x!.content ?? '') }));
  }

  /** Run `fn` with the zone id; a remembered id that Cloudflare no longer routes is dropped and looked up once more. */
  private async withZone<T>(fn: (zid: string) => Promise<T>): Promise<T> {
    const cached = this.ctx.cache.get(this.zoneKey());
    const zid = await this.zoneId();
    try {
      return await fn(zid);
    } catch (e) {
      const stale = cached !== undefined && e instanceof ProviderFailure && codes(e.data).some((c) => STALE_ZONE_CODES.has(c));
      if (!stale) throw e;
      this.ctx.cache.delete(this.zoneKey());
      this.ctx.log.info(`${TITLE}: the remembered id of zone ${this.s.zone} is no longer valid; looking it up again`);
      return fn(await this.zoneId());
    }
  }

  private zoneKey(): string {
    return cacheKey('cloudflare', this.s.base, 'zone', this.s.zone);
  }

  private async zoneId(): Promise<string> {
    if (this.s.zoneId) return this.s.zoneId;
    const known = this.ctx.cache.get(this.zoneKey());
    if (known !== undefined) return known;
    const r = await this.api.call('GET', '/zones', { query: { name: this.s.zone }, what: `find zone ${this.s.zone}` });
    const list = obj(r.data)?.result;
    if (!Array.isArray(list)) throw badShape(TITLE, 'list zones');
    const zone = list.map(obj).find((z) => z && normName(String(z.name)) === this.s.zone);
    const id = str(zone?.id);
    if (id === undefined) {
      throw new ProviderFailure('nohost', `${TITLE}: zone ${this.s.zone} is not in this account, or the token may not read it`);
    }
    this.ctx.cache.set(this.zoneKey(), id);
    return id;
  }
}
