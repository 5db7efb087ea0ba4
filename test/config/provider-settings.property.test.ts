import t from 'tap';
import type { HttpRequest, HttpResponse } from '../../src/net/http';
import { errorsOf, formatProblem, loadConfig } from '../../src/config/schema';
import { createProvider } from '../../src/engine/services';
import { PROVIDERS } from '../../src/providers/registry';
import type { FieldSpec, ProviderDef } from '../../src/providers/types';
import { makeCtx } from '../providers/rest-support';

/**
 * Property: over every provider of the registry and many generated option maps, `ddnsd check`
 * (loadConfig, what the command runs) accepts a service if and only if the daemon builds its
 * provider without a configuration problem: an accepted service's provider is created from the
 * loaded settings and its first update reaches the HTTP client (no `config` answer before the
 * network, the old failure); a rejected one is reported with its section and an option that
 * the map set, and is not among the services the daemon would run.
 */

const RUNS_PER_PROVIDER = 60;

/** A small deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];

/** Values a person might write, good and bad; none holds a quote or a newline (UCI text). */
const ANY = ['', ' ', 'x', 'user', 'alice@example.com', 'a:b', 'Tok3n_value-99', 'https://sync.afraid.org/u/Tok3nTok3n/', '0', '1', '-5', '100000', '3.5', 'yes', 'enabled', 'maybe',
  'example.com', 'example.com.', 'bad host!', 'http://127.0.0.1:8080/nic/update', 'ftp://x.example/', '127.0.0.1', '127.0.0.1:5353', '[::1]:53', 'host.example:99999',
  'prefix.secret', 'abc.def.ghi', 'hmac-sha256', 'hmac-sha999', 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=', 'not base64 !', '0123456789abcdef0123456789abcdef', 'bearer', 'apikey'];

function valueFor(r: () => number, f: FieldSpec): string {
  const roll = r();
  if (roll < 0.5) return pick(r, ANY);
  switch (f.type) {
    case 'number': return pick(r, ['1', '60', '300', '600', '1800', '3600', '86400', '86401', '100000', '2147483648', '0', 'ten']);
    case 'boolean': return pick(r, ['0', '1', 'yes', 'no', 'on', 'off', 'true', 'false', 'enabled', 'disabled', 'perhaps']);
    case 'choice': return pick(r, [...(f.choices ?? []).map((c) => c.value), 'none-of-these']);
    case 'hostname': return pick(r, ['example.com', 'home.example.com', 'example.com.', 'duckdns.org', 'bad host!', '-x.example']);
    case 'url': return pick(r, ['https://dyn.example.net/nic/update', 'http://127.0.0.1:8080/update?host=[DOMAIN]&ip=[IP]', 'https://dyn.example.net/u/[PASSWORD]/?ip=[IP]&x=[NOPE]', 'ftp://x.example/', 'not a url']);
    case 'password': return pick(r, ['Secr3t-pw!', 'Tok3nTok3nTok3n', 'https://sync.afraid.org/u/Tok3nTok3n/', 'prefix.Secr3t', 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=']);
    default: return pick(r, ['user', 'home.example.com', 'a:b', '0123456789abcdef0123456789abcdef', '12345', 'someone@example.com']);
  }
}

/** One service section: the provider, a record it can hold, and a random map of its options, endpoint and proxy. */
function generate(r: () => number, def: ProviderDef): { text: string; set: string[] } {
  const set: string[] = [];
  const lines = [`config service 'svc'`, `\toption provider '${def.id}'`, `\toption enabled '1'`,
    `\toption domain '${def.id === 'duckdns' ? 'home.duckdns.org' : 'home.example.com'}'`];
  for (const f of def.fields) {
    if (r() < (f.required ? 0.1 : 0.5)) continue;
    lines.push(`\toption ${f.name} '${valueFor(r, f)}'`);
    set.push(f.name);
  }
  if (!def.fields.some((f) => f.name === 'endpoint') && r() < 0.3) {
    // rfc2136 reads a DNS server here: only loopback ones, as nothing may leave this machine.
    const endpoint = def.id === 'rfc2136' ? pick(r, ['127.0.0.1:5353', 'bad host!', '[::1]:53']) : pick(r, ['http://127.0.0.1:8080/', 'https://127.0.0.1/x', 'ftp://x.example/', 'not a url']);
    lines.push(`\toption endpoint '${endpoint}'`);
    set.push('endpoint');
  }
  if (r() < 0.2) {
    lines.push(`\toption proxy '${pick(r, ['127.0.0.1:3128', 'user:pw@127.0.0.1:3128', 'no proxy here'])}'`);
    set.push('proxy');
  }
  return { text: lines.join('\n') + '\n', set };
}

t.test('check accepts a service iff the daemon builds its provider without a configuration problem', async (t) => {
  let accepted = 0;
  let rejected = 0;
  for (const [i, def] of PROVIDERS.entries()) {
    for (let n = 0; n < RUNS_PER_PROVIDER; n++) {
      const seed = i * 1000 + n;
      const { text, set } = generate(rng(seed), def);
      const cfg = loadConfig(text, { providers: PROVIDERS });
      const errors = errorsOf(cfg.problems);
      const service = cfg.services.find((s) => s.name === 'svc');
      if (errors.length === 0) {
        accepted++;
        if (!service) {
          t.fail(`seed ${seed} (${def.id}): check accepted but no service was loaded`);
          continue;
        }
        let made;
        try {
          made = createProvider(service, PROVIDERS);
        } catch (err) {
          t.fail(`seed ${seed} (${def.id}): check accepted, the daemon could not build the provider: ${(err as Error).message}\n${text}`);
          continue;
        }
        if (def.id === 'rfc2136') continue; // DNS, not HTTP: built is what can be shown without a server
        const sent: HttpRequest[] = [];
        const ctx = makeCtx(undefined, {
          request: async (req) => {
            sent.push(req);
            return { status: 503, headers: {}, body: '', url: req.url } satisfies HttpResponse;
          },
        });
        const [r] = await made.instance.update([{ record: { name: service.domains[0], type: 'A' }, address: '192.0.2.10' }], ctx);
        if (sent.length === 0 || r.outcome === 'config') {
          t.fail(`seed ${seed} (${def.id}): check accepted, the provider answered ${r.outcome} without reaching its API: ${r.message}\n${text}`);
        }
      } else {
        rejected++;
        if (service) t.fail(`seed ${seed} (${def.id}): check rejected, yet the service would run`);
        // Each problem names an option the map set, one of the provider's own it left out, or the records a set zone does not hold.
        const mine = (o: string) => set.includes(o) || def.fields.some((f) => f.name === o) || (o === 'domain' && set.includes('zone'));
        const named = errors.filter((p) => p.section === 'svc' && p.option !== undefined && mine(p.option));
        if (named.length !== errors.length) {
          t.fail(`seed ${seed} (${def.id}): a rejection names no option of the map: ${errors.map((p) => formatProblem(p)).join('; ')}`);
        }
      }
    }
  }
  t.ok(accepted > PROVIDERS.length * 3, `${accepted} generated services accepted`);
  t.ok(rejected > PROVIDERS.length * 3, `${rejected} generated services rejected`);
  t.comment(`${PROVIDERS.length} providers × ${RUNS_PER_PROVIDER} option maps: ${accepted} accepted, ${rejected} rejected`);
});

t.test('ddnsd check rejects the two cases of issue 12 with one line each naming the option', async (t) => {
  const text = `
config service 'cf'
	option provider 'cloudflare'
	option domain 'home.example.com'
	option api_token 'Secr3t-token'
	option zone 'example.com'
	option ttl '100000'

config service 'fd'
	option provider 'freedns'
	option domain 'home.example.com'
	option password 'https://sync.afraid.org/u/Tok3nTok3nTok3n/'
`;
  const cfg = loadConfig(text, { providers: PROVIDERS });
  const lines = errorsOf(cfg.problems).map((p) => formatProblem(p));
  t.equal(lines.length, 2, lines.join('\n'));
  t.match(lines[0], /^cf\.ttl: (?=.*86400)(?=.*100000)/);
  t.match(lines[1], /^fd\.password: must be the update token alone/);
  t.notMatch(lines.join('\n'), /Tok3n/, 'the secret is not shown');
  t.same(cfg.services, []);
});
