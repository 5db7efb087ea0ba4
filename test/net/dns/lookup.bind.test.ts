import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DnsLookupError } from '../../../src/net/dns/errors';
import { findZone, lookupRecord, systemResolvers } from '../../../src/net/dns/lookup';
import { freePort, startBind } from '../../support/bind';
import { missingReal } from '../../support/real';

t.test('systemResolvers reads resolv.conf and falls back to 127.0.0.1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-resolv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'resolv.conf');
  writeFileSync(file, '# dnsmasq\nsearch lan\nnameserver 127.0.0.1\n  nameserver ::1\nnameserver fe80::1%br-lan\nnameserver not-an-ip\n');
  t.same(systemResolvers(file), ['127.0.0.1', '::1', 'fe80::1%br-lan']);
  writeFileSync(file, 'search lan\n');
  t.same(systemResolvers(file), ['127.0.0.1']);
  t.same(systemResolvers(join(dir, 'missing')), ['127.0.0.1']);
});

t.test('lookupRecord against a real BIND 9', async (t) => {
  const bind = await startBind();
  if (!bind) return missingReal(t, 'named (BIND 9) is not installed: install Debian\'s bind9 package (.ci/run does) to run this test');
  t.teardown(() => bind.stop());
  const opts = { resolver: '127.0.0.1', port: bind.port, timeoutMs: 3000 };

  t.equal(await findZone('deep.below.old.example.test', '127.0.0.1', opts), 'example.test', 'zone found by SOA walk');
  t.same(await lookupRecord('old.example.test', 'A', opts), { addresses: ['192.0.2.1'], nxdomain: false, server: '127.0.0.1' },
    'SOA walk → NS ns1.example.test (glue 127.0.0.1) → asked directly');
  t.same(await lookupRecord('OLD.example.test', 'AAAA', opts), { addresses: ['2001:db8::1'], nxdomain: false, server: '127.0.0.1' });
  t.same(await lookupRecord('missing.example.test', 'A', opts), { addresses: [], nxdomain: true, server: '127.0.0.1' });
  t.same(await lookupRecord('ns1.example.test', 'AAAA', opts), { addresses: [], nxdomain: false, server: '127.0.0.1' }, 'name exists, no AAAA');
  t.same(await lookupRecord('old.example.test', 'A', { server: '127.0.0.1', port: bind.port }), { addresses: ['192.0.2.1'], nxdomain: false, server: '127.0.0.1' },
    'option dns_server asks that server only');

  const refused = await lookupRecord('host.elsewhere.invalid', 'A', opts).catch((e) => e);
  t.type(refused, DnsLookupError);
  t.match(refused.message, /REFUSED/);

  const dead = await freePort();
  const down = await lookupRecord('old.example.test', 'A', { server: '127.0.0.1', port: dead, timeoutMs: 3000 }).catch((e) => e);
  t.type(down, DnsLookupError);
  t.match(down.message, /no server answered for old\.example\.test A \(127\.0\.0\.1: .*refused/);
});
