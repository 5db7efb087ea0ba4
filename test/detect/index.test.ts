import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { ServiceConfig } from '../../src/config/types';
import { createSource } from '../../src/detect/index';
import type { QueryOptions } from '../../src/net/dns/query';
import type { HttpRequest } from '../../src/net/http';
import { FakeClock } from '../../src/util/clock';
import { nullLogger } from '../../src/util/log';

const ctx = { log: nullLogger };

function service(over: Partial<ServiceConfig>): ServiceConfig {
  return {
    name: 'home', enabled: true, provider: 'dyndns2', domains: ['home.example.com'], ipVersion: 'both',
    interface: 'wan', source: 'network', ipUrls: [], ipDns: [], ipv6: { mode: 'auto' }, allowPrivate: false,
    forceIntervalMs: 0, retryIntervalMs: 60_000, retryMaxCount: 0, checkIntervalMs: 600_000, verify: true,
    providerOptions: {}, fingerprint: 'x', ...over,
  };
}

t.test('network: the configured networks are asked; without ubus a clear error', async (t) => {
  const asked: string[] = [];
  const call = async (object: string, method: string) => {
    asked.push(`${object} ${method}`);
    return object.endsWith('.uplink')
      ? { up: true, 'ipv4-address': [{ address: '198.51.100.2', mask: 24 }] }
      : { up: true, 'ipv6-address': [{ address: '2001:db8::2', mask: 64 }] };
  };
  const src = createSource(service({ ipNetwork: 'uplink', ipNetwork6: 'uplink6' }), { call, ifInet6Path: '/nonexistent' });
  t.equal(src.kind, 'network');
  t.equal(src.signalsChanges, true);
  t.equal((await src.detect(4, ctx)).address, '198.51.100.2');
  t.equal((await src.detect(6, ctx)).address, '2001:db8::2');
  t.same(asked, ['network.interface.uplink status', 'network.interface.uplink6 status']);
  asked.length = 0;
  await createSource(service({ interface6: 'wan6' }), { call }).detect(6, ctx);
  await createSource(service({}), { call }).detect(6, ctx);
  t.same(asked, ['network.interface.wan6 status', 'network.interface.wan status'], 'interface6, then interface');
  const offline = createSource(service({}));
  t.match((await offline.detect(4, ctx)).error, /^ip_source network needs the running daemon/);
});

t.test('interface: device from ip_interface; missing option named', async (t) => {
  const nics = () => ({ eth9: [{ address: '198.51.100.3', family: 'IPv4', cidr: '198.51.100.3/24' } as NetworkInterfaceInfo] });
  const src = createSource(service({ source: 'interface', ipInterface: 'eth9' }), { networkInterfaces: nics });
  t.equal(src.kind, 'interface');
  t.equal((await src.detect(4, ctx)).address, '198.51.100.3');
  t.match((await createSource(service({ source: 'interface' })).detect(4, ctx)).error, /^ip_source interface needs ip_interface/);
});

t.test('web: ip_url list, ip_regex and proxy reach the requests', async (t) => {
  const seen: HttpRequest[] = [];
  const request = async (req: HttpRequest) => {
    seen.push(req);
    return { status: 200, headers: {}, body: 'IP: 198.51.100.4', url: req.url };
  };
  const src = createSource(service({ source: 'web', ipUrls: ['https://echo.test/ip'], ipRegex: 'IP: (\\S+)', proxy: '127.0.0.1:3128' }), { request });
  t.equal(src.signalsChanges, false);
  t.equal((await src.detect(4, ctx)).address, '198.51.100.4');
  t.same(seen.map((r) => [r.url, r.proxy, r.family]), [['https://echo.test/ip', '127.0.0.1:3128', 4]]);
});

t.test('dns: ip_dns entries, overridable resolvers, the clock passed on', async (t) => {
  const clock = new FakeClock();
  const seen: QueryOptions[] = [];
  const query = async (q: QueryOptions) => {
    seen.push(q);
    return { rcode: 0, rcodeName: 'NOERROR', authoritative: false, answers: [{ name: q.name, type: 1, ttl: 0, data: '198.51.100.5' }], authority: [], additional: [] };
  };
  const resolvers = { opendns: { name: 'myip.opendns.com', txt: false, class: 'IN' as const, servers: { 4: '127.0.0.1', 6: '::1' }, port: 5300 } };
  const src = createSource(service({ source: 'dns', ipDns: ['opendns'] }), { query, clock, dnsResolvers: resolvers });
  t.equal((await src.detect(4, ctx)).address, '198.51.100.5');
  t.same(seen.map((q) => [q.server, q.port, q.name, q.type, q.clock === clock]), [['127.0.0.1', 5300, 'myip.opendns.com', 'A', true]]);
});

t.test('script: ip_script argument vector', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-idx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ip.sh');
  writeFileSync(path, '#!/bin/sh\necho "$1"\n');
  chmodSync(path, 0o755);
  const src = createSource(service({ source: 'script', ipScript: [path, '198.51.100.6'] }));
  t.equal(src.kind, 'script');
  t.equal((await src.detect(4, ctx)).address, '198.51.100.6');
  t.match((await createSource(service({ source: 'script' })).detect(4, ctx)).error, /ip_script is empty/);
});

t.test('ip6_mode prefix is refused by sources that see no prefix, IPv4 unaffected', async (t) => {
  const request = async (req: HttpRequest) => ({ status: 200, headers: {}, body: '198.51.100.7', url: req.url });
  const src = createSource(service({ source: 'web', ipUrls: ['https://echo.test/'], ipv6: { mode: 'prefix', suffix: '::1' } }), { request });
  t.equal(src.kind, 'web');
  t.equal((await src.detect(4, ctx)).address, '198.51.100.7');
  t.equal((await src.detect(6, ctx)).error, 'ip6_mode prefix needs ip_source network or interface: the web source sees no delegated prefix');
});
