import { build } from './ddns-support';
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { query } from '../../src/net/dns/query';
import { createRfc2136, rfc2136 } from '../../src/providers/rfc2136';
import type { ProviderOptions, RecordUpdate } from '../../src/providers/types';
import { Secret } from '../../src/util/secret';
import { makeCtx, type TestContext } from './rest-support';
import { startBind, type BindKey, type BindServer } from '../support/bind';
import { missingReal } from '../support/real';

// A real BIND 9 on 127.0.0.1 with a dynamic zone and two TSIG keys (test/support/bind.ts).

const contexts: TestContext[] = [];
/** A provider context whose log lines are kept for the secret check at the end. */
const context = (): TestContext => { const c = makeCtx(); contexts.push(c); return c; };

function options(bind: BindServer, key: BindKey, extra: Record<string, string> = {}): ProviderOptions {
  return {
    server: `127.0.0.1:${bind.port}`,
    key_name: key.name,
    key_algorithm: key.algorithm,
    key_secret: new Secret(key.secret),
    ...extra,
  };
}

async function addresses(bind: BindServer, name: string, type: 'A' | 'AAAA'): Promise<string[]> {
  const r = await query({ server: '127.0.0.1', port: bind.port, name, type, recursion: false });
  return r.answers.filter((a) => a.type === (type === 'A' ? 1 : 28)).map((a) => a.data).sort();
}

function dig(bind: BindServer, name: string, type: string): string[] {
  const r = spawnSync('dig', ['@127.0.0.1', '-p', String(bind.port), '+short', '+norecurse', name, type], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dig failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).sort();
}

async function serial(bind: BindServer): Promise<number> {
  const r = await query({ server: '127.0.0.1', port: bind.port, name: bind.zone, type: 'SOA' });
  return Number(r.answers[0].data.split(' ')[2]);
}

const upd = (name: string, type: 'A' | 'AAAA', address: string): RecordUpdate => ({ record: { name, type }, address });

t.test('RFC 2136 against a real BIND 9', async (t) => {
  const bind = await startBind();
  if (!bind) return missingReal(t, 'named (BIND 9) is not installed: install Debian\'s bind9 package (.ci/run does) to run this test');
  t.teardown(() => bind.stop());
  const secrets = [bind.keys.sha256.secret, bind.keys.sha512.secret, bind.keys.other.secret];

  await t.test('A and AAAA are replaced in one UPDATE; query and dig see them', async (t) => {
    const p = build(rfc2136, options(bind, bind.keys.sha256));
    const ctx = context();
    const before = await serial(bind);
    const res = await p.update([upd('home.example.test', 'A', '198.51.100.7'), upd('home.example.test', 'AAAA', '2001:db8:1::7')], ctx);
    t.same(res.map((r) => r.outcome), ['ok', 'ok'], res.map((r) => r.message).join('; '));
    t.equal(await serial(bind), before + 1, 'one UPDATE message (the serial moved once)');
    t.same(await addresses(bind, 'home.example.test', 'A'), ['198.51.100.7']);
    t.same(await addresses(bind, 'home.example.test', 'AAAA'), ['2001:db8:1::7']);
    t.same(dig(bind, 'home.example.test', 'A'), ['198.51.100.7']);
    t.same(dig(bind, 'home.example.test', 'AAAA'), ['2001:db8:1::7']);
    t.equal(ctx.cache.get('zone:home.example.test'), 'example.test', 'the zone was found by an SOA query and cached');

    const again = await p.update([upd('home.example.test', 'A', '198.51.100.8')], ctx);
    t.equal(again[0].outcome, 'ok');
    t.same(dig(bind, 'home.example.test', 'A'), ['198.51.100.8'], 'the old address is gone (RRset replaced)');
    t.same(dig(bind, 'home.example.test', 'AAAA'), ['2001:db8:1::7'], 'the other type is untouched');
  });

  await t.test('HMAC-SHA512 over TCP, existing records, explicit zone', async (t) => {
    const p = build(rfc2136, options(bind, bind.keys.sha512, { zone: 'example.test', tcp: '1', ttl: '60' }));
    const res = await p.update([upd('old.example.test', 'A', '203.0.113.9'), upd('old.example.test', 'AAAA', '2001:db8::9')], context());
    t.same(res.map((r) => r.outcome), ['ok', 'ok'], res.map((r) => r.message).join('; '));
    t.same(dig(bind, 'old.example.test', 'A'), ['203.0.113.9']);
    t.same(dig(bind, 'old.example.test', 'AAAA'), ['2001:db8::9']);
    const r = await query({ server: '127.0.0.1', port: bind.port, name: 'old.example.test', type: 'A' });
    t.equal(r.answers[0].ttl, 60, 'the ttl option is applied');
  });

  await t.test('read() asks the server directly', async (t) => {
    const p = build(rfc2136, options(bind, bind.keys.sha256));
    const got = await p.read!([{ name: 'old.example.test', type: 'A' }, { name: 'missing.example.test', type: 'AAAA' }], context());
    t.same(got.map((g) => g.addresses), [['203.0.113.9'], []]);
  });

  await t.test('a wrong secret, an unknown key name and a key the zone does not admit are auth', async (t) => {
    const wrongSecret = { ...bind.keys.sha256, secret: Buffer.alloc(32, 7).toString('base64') };
    const unknown = { ...bind.keys.sha256, name: 'nobody' };
    const notAdmitted = bind.keys.other;
    const before = await serial(bind);
    for (const [label, key] of [['wrong secret', wrongSecret], ['unknown key', unknown], ['key not in allow-update', notAdmitted]] as const) {
      const res = await build(rfc2136, options(bind, key, { zone: 'example.test' })).update([upd('home.example.test', 'A', '192.0.2.66')], context());
      t.equal(res[0].outcome, 'auth', `${label}: ${res[0].message}`);
      t.notOk(secrets.some((s) => res[0].message.includes(s)));
    }
    t.equal(await serial(bind), before, 'nothing changed');
    t.same(dig(bind, 'home.example.test', 'A'), ['198.51.100.8']);
  });

  await t.test('a wrong clock gets BADTIME: transient, and the message says NTP', async (t) => {
    const p = createRfc2136(options(bind, bind.keys.sha256, { zone: 'example.test' }), { now: () => Date.now() - 3600_000 });
    const res = await p.update([upd('home.example.test', 'A', '192.0.2.67')], context());
    t.equal(res[0].outcome, 'transient');
    t.match(res[0].message, /BADTIME.*clock is wrong.*NTP/);
    t.match(res[0].message, /the server's is \d{4}-/, 'the server\'s time is reported');
  });

  await t.test('test() checks the key without changing the zone', async (t) => {
    const before = await serial(bind);
    const good = await build(rfc2136, options(bind, bind.keys.sha256, { zone: 'example.test' })).test!(context());
    t.equal(good.outcome, 'ok', good.message);
    const bad = await build(rfc2136, options(bind, { ...bind.keys.sha512, secret: Buffer.alloc(64, 1).toString('base64') }, { zone: 'example.test' })).test!(context());
    t.equal(bad.outcome, 'auth', bad.message);
    const noZone = await build(rfc2136, options(bind, bind.keys.sha256)).test!(context());
    t.equal(noZone.outcome, 'config');
    t.equal(await serial(bind), before, 'the serial did not move');
  });

  await t.test('a name outside the server\'s zones is config; a zone the server does not serve is auth (NOTAUTH)', async (t) => {
    const p = build(rfc2136, options(bind, bind.keys.sha256));
    const res = await p.update([upd('host.elsewhere.invalid', 'A', '192.0.2.1')], context());
    t.equal(res[0].outcome, 'config', res[0].message);
    const wrongZone = build(rfc2136, options(bind, bind.keys.sha256, { zone: 'other.test' }));
    const res2 = await wrongZone.update([upd('x.other.test', 'A', '192.0.2.1')], context());
    t.equal(res2[0].outcome, 'auth', `the server is not authoritative for the zone: ${res2[0].message}`);
  });

  t.test('no secret ever reached a log line', async (t) => {
    const lines = contexts.flatMap((c) => c.lines);
    t.ok(lines.length > 0, `${lines.length} log lines written`);
    for (const s of secrets) t.notOk(lines.some((l) => l.includes(s)), 'secret absent from the log');
  });
});
