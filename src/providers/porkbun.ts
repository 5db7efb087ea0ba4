import type { Outcome, ProviderContext, ProviderDef, ReadResult, RecordRef, RecordUpdate } from './types';
import {
  arr, badShape, baseSettings, cacheKey, createField, obj, ProviderFailure, relativeName, REST_CAPS, restCreate, RestApi,
  segment, setRecord, str, ttlField, written, zoneField, type BaseSettings, type FoundRecord,
} from './rest';
import type { Secret } from '../util/secret';

/**
 * Porkbun API v3: every call is a POST whose JSON body carries the API key pair. The first
 * update of a record reads it (retrieveByNameType) to learn that it exists; later changes are
 * one editByNameType each. API access must be switched on per domain in Porkbun's panel.
 */

const BASE = 'https://api.porkbun.com/api/json/v3';
const TITLE = 'Porkbun';
/** The TTL this API accepts for records ddnsd writes (check and LuCI apply the range). */
const TTL = { def: 600, min: 600, max: 2_592_000 };

interface Settings extends BaseSettings {
  apiKey: Secret;
  secretKey: Secret;
}

export const porkbun: ProviderDef = {
  id: 'porkbun',
  title: TITLE,
  aliases: ['porkbun.com-v3', 'porkbun.com'],
  fields: [
    { name: 'api_key', label: 'API key', type: 'password', required: true, secret: true, help: 'The API key (pk1_…) from Account → API Access.' },
    { name: 'secret_api_key', label: 'Secret API key', type: 'password', required: true, secret: true, help: 'The secret key (sk1_…) shown once when the key pair was made.' },
    zoneField('The domain registered at Porkbun, e.g. example.com. Its "API Access" switch must be on.'),
    createField(),
    ttlField(TTL, 'TTL sent with every change (Porkbun\'s minimum is 600).'),
  ],
  capabilities: { ...REST_CAPS },
  defaultEndpoint: BASE,
  docs: 'https://porkbun.com/api/json/v3/documentation',
  ...restCreate(
    (o, endpoint): Settings => ({
      apiKey: o.secret('api_key'), secretKey: o.secret('secret_api_key'),
      ...baseSettings(o, endpoint, BASE, TTL),
    }),
    (s, ctx) => new Session(s, ctx)),
};

function errorText(data: unknown): string | undefined {
  return str(obj(data)?.message);
}

/** Porkbun answers most errors with HTTP 400 and a sentence; the sentence tells what it is. */
function classify(status: number, _data: unknown, text: string): Outcome | undefined {
  if (/invalid api key|invalid secret|api key.*(invalid|not found)|authentication/i.test(text)) return 'auth';
  if (/not opted in|api access/i.test(text)) return 'config';
  if (/invalid domain|domain is not|not found/i.test(text) && status < 500) return 'nohost';
  return undefined;
}

class Session {
  readonly api: RestApi;

  constructor(readonly s: Settings, readonly ctx: ProviderContext) {
    this.api = new RestApi({
      title: TITLE, baseUrl: s.base, headers: {}, secrets: s.secrets, errorText, classify,
      refused: (d) => str(obj(d)?.status)?.toUpperCase() === 'ERROR', proxy: s.proxy,
    }, ctx);
  }

  /** Every call's body: the key pair plus the call's own fields. */
  private body(extra: Record<string, unknown> = {}) {
    return { secretapikey: this.s.secretKey.reveal(), apikey: this.s.apiKey.reveal(), ...extra };
  }

  set(u: RecordUpdate) {
    const rel = relativeName(u.record.name, this.s.zone);
    return setRecord(this.ctx, u, {
      title: TITLE, zone: this.s.zone, key: cacheKey('porkbun', this.s.base, this.s.zone, u.record.name, u.record.type),
      lookup: () => this.lookup(u.record),
      patch: async () => {
        await this.api.call('POST', `/dns/editByNameType/${this.nameTypePath(u.record)}`, {
          body: this.body({ content: u.address, ttl: String(this.s.ttl) }), what: `update ${u.record.type} ${u.record.name}`,
        });
        return written(TITLE, u);
      },
      // A record deleted by hand makes the edit fail with a sentence, not a 404: look it up again.
      stale: (f) => f.outcome === 'nohost' || f.outcome === 'config',
      create: this.s.create ? () => this.createRecord(u, rel) : undefined,
    });
  }

  private async createRecord(u: RecordUpdate, rel: string) {
    const body = this.body({ name: rel, type: u.record.type, content: u.address, ttl: String(this.s.ttl) });
    try {
      const r = await this.api.call('POST', `/dns/create/${segment(this.s.zone)}`, { body, what: `create ${u.record.type} ${u.record.name}` });
      const id = str(obj(r.data)?.id);
      if (id === undefined) throw badShape(TITLE, 'create a record');
      return { id, result: written(TITLE, u, undefined, true) };
    } catch (e) {
      // Porkbun parks new domains with an ALIAS/CNAME to pixie.porkbun.com, which blocks A/AAAA at the apex and wildcard.
      if (e instanceof ProviderFailure && e.outcome === 'config' && (rel === '' || rel.startsWith('*'))) {
        throw new ProviderFailure('config', `${e.message}; remove Porkbun's default ALIAS/CNAME record (pixie.porkbun.com) for this name first`);
      }
      throw e;
    }
  }

  async readAll(records: RecordRef[]): Promise<ReadResult[]> {
    const out: ReadResult[] = [];
    for (const rec of records) out.push({ record: rec, addresses: (await this.lookup(rec)).map((f) => f.content) });
    return out;
  }

  /**
   * The keys alone prove little: Porkbun answers ping with SUCCESS for any valid key pair,
   * while the zone may belong to another account or have API access off. So the test also
   * reads the zone's records, the call every update needs.
   */
  async check(): Promise<string> {
    const r = await this.api.call('POST', '/ping', { body: this.body(), what: 'check the API keys (ping)' });
    const ip = str(obj(r.data)?.yourIp);
    try {
      const z = await this.api.call('POST', `/dns/retrieve/${segment(this.s.zone)}`, { body: this.body(), what: `read the records of ${this.s.zone}` });
      if (!Array.isArray(obj(z.data)?.records)) throw badShape(TITLE, 'retrieve records');
    } catch (e) {
      if (!(e instanceof ProviderFailure && (e.outcome === 'nohost' || e.outcome === 'config'))) throw e;
      throw new ProviderFailure(e.outcome,
        `${TITLE}: the API keys work, but not for domain ${this.s.zone} (${e.message}); is the domain in this account, with its "API Access" switch on?`, { status: e.status, data: e.data });
    }
    return `${TITLE}: the API keys can read domain ${this.s.zone}${ip ? ` (Porkbun sees this router as ${ip})` : ''}`;
  }

  private async lookup(rec: RecordRef): Promise<FoundRecord[]> {
    const r = await this.api.call('POST', `/dns/retrieveByNameType/${this.nameTypePath(rec)}`, { body: this.body(), what: `look up ${rec.type} ${rec.name}`, readOnly: true });
    const list = obj(r.data)?.records;
    if (!Array.isArray(list)) throw badShape(TITLE, 'retrieve records');
    return arr(list).map(obj).filter((x) => x && (x.type === undefined || x.type === rec.type))
      .map((x) => ({ id: String(x!.id), content: String(x!.content ?? '') }));
  }

  /** `{domain}/{type}/{subdomain}`, without the last part for the apex. */
  private nameTypePath(rec: RecordRef): string {
    const rel = relativeName(rec.name, this.s.zone);
    return `${segment(this.s.zone)}/${rec.type}${rel ? '/' + segment(rel) : ''}`;
  }
}
