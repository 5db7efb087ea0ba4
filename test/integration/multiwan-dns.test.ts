import t, { type Test } from 'tap';
import { dnsVerifier } from '../../src/engine/verify';
import { FakeMwan3 } from '../support/mwan3';
import { startBind, type BindServer } from '../support/bind';
import { missingReal } from '../support/real';
import { configText, makeWorld, quiesce, startDaemon, until } from './world';
import type { Daemon } from '../../src/engine/daemon';

/**
 * Issue 15, requests leave through the active WAN, for DNS: RFC 2136 updates to a real BIND 9
 * (test/support/bind.ts, on 127.0.0.1) and the verifier's lookups (dns_server pointing at the
 * same BIND) are sent from the active WAN's address. The fake netifd holds two WANs whose
 * addresses are loopback addresses (wan 127.0.0.2, wanb 127.0.0.3), mwan3 is the stand-in of
 * test/support/mwan3.ts, and which address each message came from is what BIND itself logged
 * (its update log, and its query log turned on for this test). The daemon runs in-process on
 * the test broker with a fake clock.
 */

const WAN = '127.0.0.2';
const WANB = '127.0.0.3';
const NAME = 'home.example.test';

interface Seen {
  kind: 'update' | 'query';
  from: string;
}

/**
 * What BIND logged about our record since `mark` (an offset into its output), with the address
 * each message came from. BIND 9 writes `client @0x… ADDR#PORT/key NAME: updating zone …` for an
 * update and `client @0x… ADDR#PORT (NAME): query: NAME IN A …` for a query (category queries).
 */
function seen(bind: BindServer, mark: number): Seen[] {
  const out: Seen[] = [];
  for (const line of bind.output().slice(mark).split('\n')) {
    const update = /client @\S+ ([0-9.]+)#\d+\/key \S+: updating zone '([^/']+)\/IN'/.exec(line);
    if (update) out.push({ kind: 'update', from: update[1] });
    const query = /client @\S+ ([0-9.]+)#\d+ \(([^)]+)\): query: (\S+) IN (A|AAAA) /.exec(line);
    if (query && query[3].toLowerCase() === NAME) out.push({ kind: 'query', from: query[1] });
  }
  return out;
}

/** Every address BIND saw each kind of message come from. */
function sources(list: Seen[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of list) out[s.kind] = [...new Set([...(out[s.kind] ?? []), s.from])].sort();
  return out;
}

/**
 * BIND, the world with two WANs and mwan3, and service 'home' (RFC 2136 to that BIND,
 * `list interface wan wanb`) with `extra` options; undefined when BIND is missing (skipped).
 */
async function dnsWorld(t: Test, extra: (server: string) => string[], querylog = false) {
  const bind = await startBind({ querylog });
  if (!bind) return void missingReal(t, 'named (BIND 9) is not installed: install Debian\'s bind9 package (.ci/run does) to run this test');
  t.teardown(() => bind.stop());
  const key = bind.keys.sha256;
  const w = await makeWorld(t, { networks: ['wan', 'wanb'] });
  w.netifd.setAddress('wan', WAN);
  w.netifd.setAddress('wanb', WANB);
  const m = await FakeMwan3.start(w.broker.socketPath, ['wan', 'wanb']);
  t.teardown(() => m.close());
  const server = `127.0.0.1:${bind.port}`;
  w.writeConfig(configText([[
    "config service 'home'",
    "\toption enabled '1'",
    "\toption provider 'rfc2136'",
    `\toption server '${server}'`,
    `\toption key_name '${key.name}'`,
    `\toption key_algorithm '${key.algorithm}'`,
    `\toption key_secret '${key.secret}'`,
    "\tlist interface 'wan'",
    "\tlist interface 'wanb'",
    "\toption ip_source 'network'",
    // Loopback addresses stand in for the WANs' public ones.
    "\toption upd_privateip '1'",
    ...extra(server).map((x) => `\t${x}`),
    `\tlist domain '${NAME}'`,
    '',
  ].join('\n')]));
  return { bind, key, w, m, server };
}

t.test('RFC 2136 updates and verification lookups leave from the active WAN\'s address', async (t) => {
  const world = await dnsWorld(t, (server) => ["option holddown '5s'", "option verify '1'", `option dns_server '${server}'`], true);
  if (!world) return;
  const { bind, key, w, m, server } = world;
  // The verifier the daemon builds for a service with dns_server (engine/verify.ts defaultVerifier).
  const { daemon, clock } = await startDaemon(t, w, { verifier: dnsVerifier(server) });
  const record = (d: Daemon) => d.status().services[0].records[0];
  await until(() => record(daemon)?.registered === WAN && record(daemon).verified, 'the start-up update, verified');
  await quiesce(daemon, clock);
  const start = seen(bind, 0);
  t.same(sources(start), { query: [WAN], update: [WAN] }, 'the start-up update and its verification came from wan\'s address');

  // mwan3 says wan is offline: failover to wanb, on the event.
  let mark = bind.output().length;
  await m.track('wan', false);
  await until(() => record(daemon).registered === WANB && record(daemon).verified, 'the failover update, verified');
  await quiesce(daemon, clock);
  const failover = seen(bind, mark);
  t.same(sources(failover), { query: [WANB], update: [WANB] }, 'after failover: the update and the lookups came from wanb\'s address');
  t.equal(daemon.status().services[0].active_interface, 'wanb');

  // wan online again, after the hold-down: failback, and back to wan's address.
  await clock.advance(10_000);
  await quiesce(daemon, clock);
  mark = bind.output().length;
  await m.track('wan', true);
  await until(() => record(daemon).registered === WAN && record(daemon).verified, 'the failback update, verified');
  await quiesce(daemon, clock);
  t.same(sources(seen(bind, mark)), { query: [WAN], update: [WAN] }, 'after failback: from wan\'s address again');
  t.notOk(w.lines.some((l) => l.includes(key.secret)), 'the TSIG secret is in no log line');
});

t.test('a bind that fails (the WAN\'s address left the machine) is a network outcome with a clear message', async (t) => {
  const world = await dnsWorld(t, () => ["option verify '0'"]);
  if (!world) return;
  const { bind, w, server } = world;
  const { daemon, clock } = await startDaemon(t, w);
  const record = () => daemon.status().services[0].records[0];
  await until(() => record()?.registered === WAN, 'the start-up update');
  await quiesce(daemon, clock);
  const updates = () => seen(bind, 0).filter((s) => s.kind === 'update').length;
  const before = updates();

  // netifd still reports an address for wan that this machine no longer has (a documentation
  // address, never on a loopback here): binding to it fails before anything is sent.
  const gone = '192.0.2.77';
  w.netifd.setAddress('wan', gone);
  await w.netifd.announce('wan');
  await until(() => record().state === 'retrying', 'the failed update');
  await quiesce(daemon, clock);
  const r = record();
  const why = `DNS server ${server} over UDP: cannot send from ${gone}: the address is not on this router any more (EADDRNOTAVAIL)`;
  t.equal(r.last_result, why, 'the record\'s last result names the server, the address and why');
  t.ok(w.lines.some((l) => l.includes(`${NAME} A (network): ${why}`)), 'a network outcome, in the log');
  t.equal(r.registered, WAN, 'the record keeps its address');
  t.equal(updates(), before, 'BIND received nothing');
  t.equal(daemon.status().services[0].state, 'retrying', 'the daemon carries on: the service retries later');
});
