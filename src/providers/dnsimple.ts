import type { ProviderContext, ProviderDef, ReadResult, RecordRef, RecordUpdate } from './types';
import {
  arr, badShape, baseSettings, bearerApi, cacheKey, createField, obj, ProviderFailure, relativeName, REST_CAPS, restCreate,
  RestApi, setRecord, str, tokenField, ttlField, written, zoneField, type BaseSettings, type FoundRecord, type OptionReader,
} from './rest';
import type { Secret } from '../util/secret';

/**
 * DNSimple API v2: the account comes from `GET /whoami` (account token) or the account list
 * (user token), records are found by exact name and type, changed with a PATCH of `content`
 * alone (TTL and regions stay), and created only when the user allows it.
 */

const PRODUCTION = 'https://api.dnsimple.com/v2';
const SANDBOX = 'https://api.sandbox.dnsimple.com/v2';
const TITLE = 'DNSimple';
/** The TTL this API accepts for records ddnsd writes (check and LuCI apply the range). */
const TTL = { def: 3600, min: 60, max: 2_592_000 };
/** Enough for any one name and type; more pages than this means the filter was ignored. */
const MAX_PAGES = 20;

interface Settings extends BaseSettings {
  token: Secret;
  account: string;
}

export const dnsimple: ProviderDef = {
  id: 'dnsimple',
  title: TITLE,
  aliases: ['dnsimple.com'],
  fields: [
    tokenField('An account API token (Account → Access tokens). A user token works when it can reach a single account, or with option account.'),
    zoneField(),
    { name: 'account', label: 'Account ID', type: 'string', help: 'Numeric account id. Leave empty to take it from the token (GET /whoami).' },
    ttlField(TTL, 'TTL of records ddnsd creates. Existing records keep their TTL.'),
    createField(),
    {
      name: 'sandbox', label: 'Sandbox', type: 'boolean', default: '0',
      help: 'Use the DNSimple sandbox (api.sandbox.dnsimple.com) with a sandbox token, for trying things out.',
    },
  ],
  capabilities: { ...REST_CAPS },
  defaultEndpoint: PRODUCTION,
  docs: 'https://developer.dnsimple.com/v2/zones/records/',
  ...restCreate(settings, (s, ctx) => new Session(s, ctx)),
};

function settings(o: OptionReader, endpoint: string | undefined): Settings {
  const token = o.secret('api_token');
  const account = o.string('account');
  if (account && !/^\d+$/.test(account)) o.problem('account', `option account must be the numeric account id, not "${account}"`);
  const base = o.bool('sandbox') ? SANDBOX : PRODUCTION;
  return { token, account, ...baseSettings(o, endpoint, base, TTL) };
}

function errorText(data: unknown): string | undefined {
  const o = obj(data);
  const msg = str(o?.message);
  const errors = obj(o?.errors);
  const detail = errors ? Object.entries(errors).map(([k, v]) => `${k} ${arr(v).join(', ')}`).join('; ') : '';
  return msg && detail ? `${msg}: ${detail}` : msg;
}

class Session {
  readonly api: RestApi;

  constructor(readonly s: Settings, readonly ctx: ProviderContext) {
    this.api = bearerApi(ctx, s, s.token, { title: TITLE, errorText, resetHeader: 'x-ratelimit-reset' });
  }

  async set(u: RecordUpdate) {
    const rel = relativeName(u.record.name, this.s.zone);
    const account = await this.account();
    const zonePath = this.zonePath(account);
    const createRecord = async () => {
      const body = { name: rel, type: u.record.type, content: u.address, ttl: this.s.ttl };
      const r = await this.api.call('POST', `${zonePath}/records`, { body, what: `create ${u.record.type} ${u.record.name}` });
      const rec = record(r.data, 'create a record');
      return { id: rec.id, result: written(TITLE, u, rec.content, true) };
    };
    try {
      return await setRecord(this.ctx, u, {
        title: TITLE, zone: this.s.zone, key: this.recordKey(account, u.record),
        lookup: () => this.lookup(zonePath, rel, u.record),
        patch: async (id) => {
          const r = await this.api.call('PATCH', `${zonePath}/records/${encodeURIComponent(id)}`,
            { body: { content: u.address }, what: `update ${u.record.type} ${u.record.name}` });
          return written(TITLE, u, record(r.data, 'update a record').content);
        },
        create: this.s.create ? createRecord : undefined,
      });
    } catch (e) {
      this.forgetAccountOn(e);
      throw e;
    }
  }

  async readAll(records: RecordRef[]): Promise<ReadResult[]> {
    const account = await this.account();
    const out: ReadResult[] = [];
    for (const rec of records) {
      const rel = relativeName(rec.name, this.s.zone);
      out.push({ record: rec, addresses: await this.readOne(account, rel, rec) });
    }
    return out;
  }

  /** With a remembered id one GET of that record; if it now is something else, look it up by name. */
  private async readOne(account: string, rel: string, rec: RecordRef): Promise<string[]> {
    const key = this.recordKey(account, rec);
    const id = this.ctx.cache.get(key);
    const zonePath = this.zonePath(account);
    if (id !== undefined) {
      try {
        const r = await this.api.call('GET', `${zonePath}/records/${encodeURIComponent(id)}`, { what: `read ${rec.type} ${rec.name}` });
        const data = obj(obj(r.data)?.data);
        if (data && data.type === rec.type && data.name === rel) return [String(data.content)];
      } catch (e) {
        if (!(e instanceof ProviderFailure && e.status === 404)) throw e;
      }
      this.ctx.cache.delete(key);
    }
    const found = await this.lookup(zonePath, rel, rec);
    if (found.length === 1) this.ctx.cache.set(key, found[0].id);
    return found.map((f) => f.content);
  }

  async check(): Promise<string> {
    const account = await this.account();
    try {
      await this.api.call('GET', this.zonePath(account), { what: `read zone ${this.s.zone}` });
    } catch (e) {
      if (e instanceof ProviderFailure && e.status === 404) throw await this.missingZone(account);
      throw e;
    }
    return `${TITLE}: the token works for account ${account} and zone ${this.s.zone} exists`;
  }

  /** A missing zone, named together with the zones the account does have (first page). */
  private async missingZone(account: string): Promise<ProviderFailure> {
    const r = await this.api.call('GET', `/${encodeURIComponent(account)}/zones`, { query: { per_page: '100' }, what: 'list zones' });
    const names = arr(obj(r.data)?.data).map((z) => str(obj(z)?.name)).filter((x): x is string => x !== undefined);
    const has = names.length ? `it has ${names.join(', ')}` : 'it has no zones';
    return new ProviderFailure('nohost', `${TITLE}: account ${account} has no zone ${this.s.zone}; ${has}`);
  }

  /** The account id: configured, remembered, or asked for (whoami, then the account list for user tokens). */
  private async account(): Promise<string> {
    if (this.s.account) return this.s.account;
    const key = cacheKey('dnsimple', this.s.base, 'account');
    const known = this.ctx.cache.get(key);
    if (known !== undefined) return known;
    const who = obj(obj((await this.api.call('GET', '/whoami', { what: 'identify the token (whoami)' })).data)?.data);
    if (!who) throw badShape(TITLE, 'whoami');
    let id = str(obj(who.account)?.id);
    if (id === undefined && obj(who.user)) id = await this.onlyAccount();
    if (id === undefined) {
      throw new ProviderFailure('config', `${TITLE}: the token belongs to no account (whoami named neither an account nor a user); use an account token`);
    }
    this.ctx.cache.set(key, id);
    return id;
  }

  /** A user token: usable without option account only when it reaches exactly one account. */
  private async onlyAccount(): Promise<string> {
    const list = arr(obj((await this.api.call('GET', '/accounts', { what: 'list the accounts of the user token' })).data)?.data);
    const ids = list.map((a) => str(obj(a)?.id)).filter((x): x is string => x !== undefined);
    if (ids.length === 1) return ids[0];
    throw new ProviderFailure('config', ids.length === 0
      ? `${TITLE}: this user token can reach no account`
      : `${TITLE}: this user token can reach ${ids.length} accounts (${ids.join(', ')}); set option account to one of them`);
  }

  /** Every record of this exact name and type, across pages. */
  private async lookup(zonePath: string, rel: string, rec: RecordRef): Promise<FoundRecord[]> {
    const found: FoundRecord[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query: Record<string, string> = { name: rel, type: rec.type, per_page: '100' };
      if (page > 1) query.page = String(page);
      const r = obj((await this.api.call('GET', `${zonePath}/records`, { query, what: `look up ${rec.type} ${rec.name}` })).data);
      if (!r || !Array.isArray(r.data)) throw badShape(TITLE, 'list records');
      for (const item of r.data) {
        const o = obj(item);
        // The server filters by name and type; drop anything that visibly does not match.
        if (!o || (o.type !== undefined && o.type !== rec.type) || (o.name !== undefined && o.name !== rel)) continue;
        found.push({ id: String(o.id), content: String(o.content ?? '') });
      }
      const pages = Number(obj(r.pagination)?.total_pages ?? 1);
      if (!(page < pages)) break;
    }
    return found;
  }

  private zonePath(account: string): string {
    return `/${encodeURIComponent(account)}/zones/${encodeURIComponent(this.s.zone)}`;
  }

  private recordKey(account: string, rec: RecordRef): string {
    return cacheKey('dnsimple', this.s.base, account, this.s.zone, rec.name, rec.type);
  }

  /** A remembered account that now fails with auth or not-found may belong to an old token. */
  private forgetAccountOn(e: unknown): void {
    if (this.s.account || !(e instanceof ProviderFailure)) return;
    if (e.status === 401 || e.status === 403 || e.status === 404) this.ctx.cache.delete(cacheKey('dnsimple', this.s.base, 'account'));
  }
}

/** The record in a `{"data": {...}}` reply. */
function record(data: unknown, what: string): FoundRecord {
  const d = obj(obj(data)?.data);
  if (!d || d.id === undefined) throw badShape(TITLE, what);
  return { id: String(d.id), content: String(d.content ?? '') };
}
