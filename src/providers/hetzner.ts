import type { ProviderContext, ProviderDef, ReadResult, RecordRef, RecordUpdate } from './types';
import {
  arr, baseSettings, pause, bearerApi, createField, obj, ProviderFailure, relativeName, REST_CAPS, restCreate, RestApi, segment, str,
  tokenField, ttlField, written, zoneField, type BaseSettings,
} from './rest';
import type { Secret } from '../util/secret';

/**
 * Hetzner DNS through the Hetzner Cloud API (zones in the Hetzner Console), as ddns-scripts'
 * `hetzner.cloud` does. Zones and record sets are addressed by name, so a change is one
 * `set_records` action with no ids to look up. The older dns.hetzner.com API (header
 * `Auth-API-Token`) is not spoken here.
 */

const BASE = 'https://api.hetzner.cloud/v1';
const TITLE = 'Hetzner DNS';
/** The TTL this API accepts for records ddnsd writes (check and LuCI apply the range). */
const TTL = { def: 60, min: 60, max: 2_147_483_647 };

interface Settings extends BaseSettings {
  token: Secret;
}

export const hetzner: ProviderDef = {
  id: 'hetzner',
  title: TITLE,
  aliases: ['hetzner.cloud', 'hetzner.com'],
  fields: [
    tokenField('A Hetzner Cloud API token with read & write permission, from the project that holds the zone (Security → API tokens).'),
    zoneField('The zone name (e.g. example.com) or its numeric id.'),
    createField(),
    ttlField(TTL, 'TTL of record sets ddnsd creates. Existing record sets keep their TTL.'),
  ],
  capabilities: { ...REST_CAPS },
  defaultEndpoint: BASE,
  docs: 'https://docs.hetzner.cloud/reference/cloud#zone-rrset-actions',
  ...restCreate(
    (o, endpoint): Settings => ({ token: o.secret('api_token'), ...baseSettings(o, endpoint, BASE, TTL) }),
    (s, ctx) => new Session(s, ctx)),
};

/** `{"error":{"code":"not_found","message":"...","details":{}}}` */
function errorText(data: unknown): string | undefined {
  const e = obj(obj(data)?.error);
  const code = str(e?.code);
  const msg = str(e?.message);
  return code && msg ? `${code}: ${msg}` : msg ?? code;
}

class Session {
  readonly api: RestApi;

  constructor(readonly s: Settings, readonly ctx: ProviderContext) {
    this.api = bearerApi(ctx, s, s.token, { title: TITLE, errorText, resetHeader: 'ratelimit-reset' });
  }

  /** Replace the set's records; a missing set (404) is created only when allowed. */
  async set(u: RecordUpdate) {
    const what = `set ${u.record.type} ${u.record.name}`;
    try {
      const r = await this.api.call('POST', `${this.rrsetPath(u.record)}/actions/set_records`, { body: { records: [{ value: u.address }] }, what });
      return this.settled(await this.follow(obj(r.data)?.action, what), written(TITLE, u));
    } catch (e) {
      if (!(e instanceof ProviderFailure && e.status === 404)) throw e;
      if (!this.s.create) {
        throw new ProviderFailure('nohost', `${TITLE}: zone ${this.s.zone} has no ${u.record.type} record named ${u.record.name}, or the zone is not in this project; add it, or set option create to 1 (${e.message})`);
      }
    }
    const name = relativeName(u.record.name, this.s.zone) || '@';
    const body = { name, type: u.record.type, ttl: this.s.ttl, records: [{ value: u.address }] };
    const r = await this.api.call('POST', `${this.zonePath()}/rrsets`, { body, what: `create ${u.record.type} ${u.record.name}` });
    return this.settled(await this.follow(obj(r.data)?.action, `create ${u.record.type} ${u.record.name}`), written(TITLE, u, undefined, true));
  }

  /**
   * The API answers a change with an action that is often still `running` (a real session
   * needed 8 polls before `success`). Poll GET /zones/actions/{id} with growing pauses until it
   * ends: `success` is done, `error` is a failure. Still running after the last poll, the
   * change is left to verification (the record is read back after the update).
   */
  private async follow(action: unknown, what: string): Promise<boolean> {
    let a = obj(action);
    const id = a?.id;
    for (let i = 0; ; i++) {
      const status = str(a?.status);
      if (status === 'error') {
        const err = obj(a?.error);
        throw new ProviderFailure('transient', `${TITLE}: could not ${what}: the action failed (${str(err?.code) ?? 'error'}: ${str(err?.message) ?? 'no reason given'})`);
      }
      if (status !== 'running' || (typeof id !== 'number' && typeof id !== 'string')) return true;
      if (i >= ACTION_POLLS.length) return false;
      await pause(this.ctx, ACTION_POLLS[i]);
      const r = await this.api.call('GET', `/zones/actions/${segment(String(id))}`, { what: `follow the action of ${what}`, poll: true });
      a = obj(obj(r.data)?.action);
    }
  }

  private settled(done: boolean, result: ReturnType<typeof written>): ReturnType<typeof written> {
    if (done) return result;
    const waited = Math.round(ACTION_POLLS.reduce((a, b) => a + b, 0) / 1000);
    return { ...result, message: `${result.message}; the action was still running after ${waited} s, verification will tell` };
  }

  async readAll(records: RecordRef[]): Promise<ReadResult[]> {
    const out: ReadResult[] = [];
    for (const rec of records) {
      try {
        const r = await this.api.call('GET', this.rrsetPath(rec), { what: `read ${rec.type} ${rec.name}` });
        out.push({ record: rec, addresses: arr(obj(obj(r.data)?.rrset)?.records).map((x) => String(obj(x)?.value ?? '')) });
      } catch (e) {
        if (!(e instanceof ProviderFailure && e.status === 404)) throw e;
        out.push({ record: rec, addresses: [] });
      }
    }
    return out;
  }

  async check(): Promise<string> {
    await this.api.call('GET', this.zonePath(), { what: `read zone ${this.s.zone}` });
    return `${TITLE}: the token can read zone ${this.s.zone}`;
  }

  private zonePath(): string {
    return `/zones/${segment(this.s.zone)}`;
  }

  private rrsetPath(rec: RecordRef): string {
    return `${this.zonePath()}/rrsets/${segment(relativeName(rec.name, this.s.zone) || '@')}/${rec.type}`;
  }
}

/** Pauses between polls of a running action: 0.5 s doubling up to 8 s, ten polls, about 55 s in all. */
export const ACTION_POLLS = [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000];
