import type { ProviderContext, ProviderDef, ReadResult, RecordRef, RecordUpdate } from './types';
import {
  arr, baseSettings, obj, ProviderFailure, relativeName, REST_CAPS, restCreate, RestApi, segment, str, tokenField, ttlField,
  written, zoneField, type BaseSettings,
} from './rest';
import type { Secret } from '../util/secret';

/**
 * Gandi LiveDNS (API v5). A record set is addressed by zone, name and type, so every change
 * is one PUT of the whole set, with no ids to look up or remember. The PUT creates the set
 * when it does not exist; that is how the API works, there is no update-only call.
 */

const BASE = 'https://api.gandi.net/v5/livedns';
const TITLE = 'Gandi LiveDNS';
/** The TTL this API accepts for records ddnsd writes (check and LuCI apply the range). */
const TTL = { def: 300, min: 300, max: 2_592_000 };
const SCHEMES = ['bearer', 'apikey'] as const;

interface Settings extends BaseSettings {
  token: Secret;
  scheme: (typeof SCHEMES)[number];
}

export const gandi: ProviderDef = {
  id: 'gandi',
  title: TITLE,
  aliases: ['gandi.net'],
  fields: [
    tokenField('A personal access token with the "Manage domain name technical configurations" permission (Account → Authentication options), or a legacy API key.'),
    {
      name: 'auth_scheme', label: 'Credential kind', type: 'choice', default: 'bearer',
      choices: [
        { value: 'bearer', label: 'Personal access token (Bearer)' },
        { value: 'apikey', label: 'Legacy API key (Apikey, deprecated by Gandi)' },
      ],
      help: 'Personal access tokens replace the old API keys; ddns-scripts\' gandi.net used an API key.',
    },
    zoneField(),
    ttlField(TTL, 'TTL of the record set (Gandi\'s minimum is 300). It is sent with every change.'),
  ],
  capabilities: { ...REST_CAPS },
  defaultEndpoint: BASE,
  docs: 'https://api.gandi.net/docs/livedns/',
  ...restCreate(
    (o, endpoint): Settings => ({
      token: o.secret('api_token'), scheme: o.choice('auth_scheme', SCHEMES, 'bearer'),
      ...baseSettings(o, endpoint, BASE, TTL),
    }),
    (s, ctx) => new Session(s, ctx)),
};

/** `{"code":401,"message":"...","object":"HTTPUnauthorized","cause":"Unauthorized"}` or `{"status":"error","errors":[...]}` */
function errorText(data: unknown): string | undefined {
  const o = obj(data);
  const errors = arr(o?.errors).map((e) => [str(obj(e)?.name), str(obj(e)?.description)].filter(Boolean).join(': '));
  const msg = str(o?.message) ?? str(o?.cause);
  return [msg, ...errors].filter(Boolean).join('; ') || undefined;
}

class Session {
  readonly api: RestApi;

  constructor(readonly s: Settings, readonly ctx: ProviderContext) {
    const auth = s.scheme === 'bearer' ? `Bearer ${s.token.reveal()}` : `Apikey ${s.token.reveal()}`;
    this.api = new RestApi({ title: TITLE, baseUrl: s.base, headers: { Authorization: auth }, secrets: s.secrets, errorText, proxy: s.proxy }, ctx);
  }

  async set(u: RecordUpdate) {
    await this.api.call('PUT', this.path(u.record), {
      body: { rrset_values: [u.address], rrset_ttl: this.s.ttl }, what: `set ${u.record.type} ${u.record.name}`,
    });
    return written(TITLE, u);
  }

  async readAll(records: RecordRef[]): Promise<ReadResult[]> {
    const out: ReadResult[] = [];
    for (const rec of records) out.push({ record: rec, addresses: await this.readOne(rec) });
    return out;
  }

  /** A missing record set reads as no addresses (404 here means the set, the zone is checked by test). */
  private async readOne(rec: RecordRef): Promise<string[]> {
    try {
      const r = await this.api.call('GET', this.path(rec), { what: `read ${rec.type} ${rec.name}` });
      return arr(obj(r.data)?.rrset_values).map(String);
    } catch (e) {
      if (e instanceof ProviderFailure && e.status === 404) return [];
      throw e;
    }
  }

  async check(): Promise<string> {
    await this.api.call('GET', `/domains/${encodeURIComponent(this.s.zone)}`, { what: `read domain ${this.s.zone}` });
    return `${TITLE}: the credentials can read domain ${this.s.zone}`;
  }

  private path(rec: RecordRef): string {
    const name = relativeName(rec.name, this.s.zone) || '@';
    return `/domains/${segment(this.s.zone)}/records/${segment(name)}/${rec.type}`;
  }
}
