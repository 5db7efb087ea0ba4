import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { classify, HttpError, type HttpRequest, type HttpResponse } from '../../src/net/http';
import { knownCode } from '../../src/providers/dyndns2-reply';
import { statusRow, TRANSPORT, WAIT, type TransportCase } from '../../src/providers/kit/failure';
import { PROVIDERS } from '../../src/providers/registry';
import type { ProviderDef, UpdateResult } from '../../src/providers/types';
import { instance, upd } from './ddns-support';
import { makeCtx } from './rest-support';

/**
 * The failure table of src/providers/README.md, run once for every provider: each transport
 * failure and each HTTP status, handed to the provider by its HTTP client, must give the
 * table's outcome and minimum wait, whatever the provider. The errors are the ones net/http
 * makes of Node's socket errors (its `classify`), so the codes are Node's own.
 */

/** Options that make each provider's instance valid (no request leaves: the HTTP client is replaced). */
function validOptions(def: ProviderDef): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of def.fields) {
    if (!f.required) continue;
    if (f.name === 'update_url') out[f.name] = 'https://dyn.example.net/update?host=[DOMAIN]&ip=[IP]';
    else if (f.type === 'url') out[f.name] = 'https://dyn.example.net/nic/update';
    else if (f.type === 'hostname') out[f.name] = 'example.com';
    else if (f.name === 'server') out[f.name] = '127.0.0.1';
    else out[f.name] = f.type === 'password' ? 'Secr3t-value-0123' : 'user';
  }
  if (def.id === 'ionos') out.api_key = 'prefix.Secr3t-value-0123';
  return out;
}

const HTTP_PROVIDERS = PROVIDERS.filter((p) => p.id !== 'rfc2136');
const recordOf = (def: ProviderDef) => (def.id === 'duckdns' ? 'home.duckdns.org' : 'home.example.com');

async function run(def: ProviderDef, request: (req: HttpRequest) => Promise<HttpResponse>): Promise<UpdateResult> {
  const ctx = makeCtx(undefined, { request });
  const [r] = await instance(def, validOptions(def)).update([upd(recordOf(def), 'A', '192.0.2.10')], ctx);
  return r;
}

const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** One thrown error per row, made the way net/http makes it. */
const TRANSPORT_ERRORS: Record<TransportCase, () => unknown> = {
  timeout: () => new HttpError('timeout', 'no answer from dyn.example.net within 15 s'),
  tls: () => classify(nodeError('CERT_HAS_EXPIRED', 'certificate has expired'), 'dyn.example.net', []),
  'name-resolution': () => classify(nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND dyn.example.net'), 'dyn.example.net', []),
  refused: () => classify(nodeError('ECONNREFUSED', 'connect ECONNREFUSED'), 'dyn.example.net', []),
  reset: () => classify(nodeError('ECONNRESET', 'read ECONNRESET'), 'dyn.example.net', []),
  unreachable: () => classify(nodeError('ENETUNREACH', 'connect ENETUNREACH'), 'dyn.example.net', []),
  'http-parse': () => classify(nodeError('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'), 'dyn.example.net', []),
  'too-large': () => new HttpError('too-large', 'answer from dyn.example.net is larger than 1048576 bytes'),
  'redirect-loop': () => new HttpError('redirect', 'dyn.example.net redirected more than 3 times', 'LOOP'),
  'redirect-refused': () => new HttpError('redirect', 'dyn.example.net redirected from HTTPS to plain HTTP (x.example); refused'),
  cancelled: () => new HttpError('aborted', 'request to dyn.example.net was cancelled'),
  'other-socket': () => classify(nodeError('EPROTO', 'protocol error'), 'dyn.example.net', []),
  unexpected: () => new TypeError('cannot read properties of undefined'),
};

t.test('every transport failure: one outcome and one minimum wait, the same for every provider', async (t) => {
  t.equal(HTTP_PROVIDERS.length >= 20, true, 'every HTTP provider of the registry');
  for (const [name, make] of Object.entries(TRANSPORT_ERRORS) as [TransportCase, () => unknown][]) {
    const row: { outcome: string; wait?: keyof typeof WAIT } = TRANSPORT[name];
    const seen = new Set<string>();
    for (const def of HTTP_PROVIDERS) {
      const r = await run(def, async () => { throw make(); });
      t.equal(r.outcome, row.outcome, `${name} → ${row.outcome} (${def.id}: ${r.message})`);
      t.equal(r.retryAfterMs, row.wait && WAIT[row.wait], `${name}: minimum wait (${def.id})`);
      t.notMatch(r.message, /Secr3t/, `${name}: no secret (${def.id})`);
      seen.add(`${r.outcome}/${r.retryAfterMs}`);
    }
    t.equal(seen.size, 1, `${name}: one verdict for all ${HTTP_PROVIDERS.length} providers`);
  }
});

const STATUSES = [301, 400, 401, 402, 403, 404, 405, 408, 409, 410, 422, 423, 425, 429, 500, 502, 503, 504, 521];

t.test('every HTTP status: the table, or the provider\'s documented meaning (ProviderDef.statuses)', async (t) => {
  for (const status of STATUSES) {
    const general = statusRow(status)!;
    for (const def of HTTP_PROVIDERS) {
      const r = await run(def, async (req) => ({ status, headers: {}, body: '', url: req.url }));
      const documented = def.statuses?.[status];
      const row = documented ? { outcome: documented } : general;
      t.equal(r.outcome, row.outcome, `HTTP ${status} → ${row.outcome} (${def.id}: ${r.message})`);
      t.equal(r.retryAfterMs, 'wait' in row && row.wait ? WAIT[row.wait] : undefined, `HTTP ${status}: minimum wait (${def.id})`);
    }
  }
  // Retry-After longer than the minimum wins, for every provider.
  for (const def of HTTP_PROVIDERS) {
    const r = await run(def, async (req) => ({ status: 503, headers: { 'retry-after': '3600' }, body: '', url: req.url }));
    t.equal(r.retryAfterMs, 3_600_000, `Retry-After 3600 s on a 503 (${def.id})`);
  }
});

t.test('the documented dyndns2 return codes mean the same for every provider that speaks dyndns2', async (t) => {
  const family = HTTP_PROVIDERS.filter((p) => p.statuses === PROVIDERS.find((x) => x.id === 'dyndns2')!.statuses);
  t.equal(family.length >= 8, true, 'dyndns2 and its presets');
  const codes = ['badauth', '!donator', 'notfqdn', 'nohost', '!yours', '!active', 'numhost', 'abuse', 'badagent', 'badsys', 'badrequest', 'dnserr', '911', 'servererror'];
  for (const code of codes) {
    const meaning = knownCode(code)!;
    for (const def of family) {
      const r = await run(def, async (req) => ({ status: 200, headers: {}, body: `${code}\n`, url: req.url }));
      t.equal(r.outcome, meaning.outcome, `${code} → ${meaning.outcome} (${def.id})`);
      t.equal(r.retryAfterMs, meaning.waitMs, `${code}: minimum wait (${def.id})`);
    }
  }
});

t.test('the README shows the table the code applies', async (t) => {
  const readme = readFileSync(join(__dirname, '../../src/providers/README.md'), 'utf8');
  for (const [name, row] of Object.entries(TRANSPORT) as [TransportCase, { outcome: string; wait?: keyof typeof WAIT }][]) {
    const line = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    const wait = row.wait ? `${WAIT[row.wait] / 60_000} min` : '—';
    t.match(line ?? '', new RegExp(`\\| ${row.outcome} \\| ${wait} \\|$`), `README row ${name}`);
  }
});
