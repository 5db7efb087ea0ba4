import type { ProviderContext, ProviderDef, ReadResult, RecordRef, RecordUpdate } from './types';
import {
  arr, badShape, baseSettings, bearerApi, cacheKey, createField, normName, obj, relativeName, REST_CAPS, restCreate, RestApi,
  setRecord, str, tokenField, ttlField, written, zoneField, type BaseSettings, type FoundRecord,
} from './rest';
import type { Secret } from '../util/secret';

/**
 * DigitalOcean API v2 domain records. The record id is looked up by type and full name once
 * and remembered; a change is then one PATCH of `data` (with `type`, which the API requires
 * on every PATCH; it is unchanged, and TTL stays as it is).
 */

const BASE = 'https://api.digitalocean.com/v2';
const TITLE = 'DigitalOcean';
/** The TTL this API accepts for records ddnsd writes (check and LuCI apply the range). */
const TTL = { def: 1800, min: 30, max: 2_147_483_647 };

interface Settings extends BaseSettings {
  token: Secret;
}

export const digitalocean: ProviderDef = {
  id: 'digitalocean',
  title: TITLE,
  aliases: ['digitalocean.com-v2', 'digitalocean.com'],
  fields: [
    tokenField('A personal access token with write scope for domains (API → Tokens).'),
    zoneField('The domain as it is listed under Networking → Domains, e.g. example.com.'),
    createField(),
    ttlField(TTL, 'TTL of records ddnsd creates (at least 30). Existing records keep their TTL.'),
  ],
  capabilities: { ...REST_CAPS },
  defaultEndpoint: BASE,
  docs: 'https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records',
  ...restCreate(
    (o, endpoint): Settings => ({ token: o.secret('api_token'), ...baseSettings(o, endpoint, BASE, TTL) }),
    (s, ctx) => new Session(s, ctx)),
};

/** `{"id":"unauthorized","message":"Unable to authenticate you"}` */
function errorText(data: unknown): string | undefined {
  const o = obj(data);
  const id = str(o?.id);
  const msg = str(o?.message);
  return id && msg ? `${id}: ${msg}` : msg ?? id;
}

class Session {
  readonly api: RestApi;

  constructor(readonly s: Settings, readonly ctx: ProviderContext) {
    this.api = bearerApi(ctx, s, s.token, { title: TITLE, errorText, resetHeader: 'ratelimit-reset' });
  }

  set(u: RecordUpdate) {
    const rel = relativeName(u.record.name, this.s.zone);
    return setRecord(this.ctx, u, {
      title: TITLE, zone: this.s.zone, key: cacheKey('digitalocean', this.s.base, this.s.zone, u.record.name, u.record.type),
      lookup: () => this.lookup(u.record),
      patch: async (id) => {
        const r = await this.api.call('PATCH', `${this.zonePath()}/records/${encodeURIComponent(id)}`,
          { body: { type: u.record.type, data: u.address }, what: `update ${u.record.type} ${u.record.name}` });
        return written(TITLE, u, str(obj(obj(r.data)?.domain_record)?.data));
      },
      create: this.s.create ? async () => {
        const body = { type: u.record.type, name: rel || '@', data: u.address, ttl: this.s.ttl };
        const r = await this.api.call('POST', `${this.zonePath()}/records`, { body, what: `create ${u.record.type} ${u.record.name}` });
        const made = obj(obj(r.data)?.domain_record);
        if (made?.id === undefined) throw badShape(TITLE, 'create a record');
        return { id: String(made.id), result: written(TITLE, u, str(made.data), true) };
      } : undefined,
    });
  }

  async readAll(records: RecordRef[]): Promise<ReadResult[]> {
    const out: ReadResult[] = [];
    for (const rec of records) out.push({ record: rec, addresses: (await this.lookup(rec)).map((f) => f.content) });
    return out;
  }

  async check(): Promise<string> {
    await this.api.call('GET', this.zonePath(), { what: `read domain ${this.s.zone}` });
    return `${TITLE}: the token can read domain ${this.s.zone}`;
  }

  /** The API filters by full name and type; names in the answer are relative (`@` for the apex). */
  private async lookup(rec: RecordRef): Promise<FoundRecord[]> {
    const rel = relativeName(rec.name, this.s.zone) || '@';
    const r = await this.api.call('GET', `${this.zonePath()}/records`, {
      query: { type: rec.type, name: normName(rec.name), per_page: '200' }, what: `look up ${rec.type} ${rec.name}`,
    });
    const list = obj(r.data)?.domain_records;
    if (!Array.isArray(list)) throw badShape(TITLE, 'list records');
    return arr(list).map(obj).filter((x) => x && x.type === rec.type && x.name === rel)
      .map((x) => ({ id: String(x!.id), content: String(x!.data ?? '') }));
  }

  private zonePath(): string {
    return `/domains/${encodeURIComponent(this.s.zone)}`;
  }
}
