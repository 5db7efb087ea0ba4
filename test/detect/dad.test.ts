import t from 'tap';
import { dadBoundMs, isSettled, POLL_MS, waitSettled } from '../../src/detect/dad';
import type { KernelAddress } from '../../src/detect/interface';
import { networkSource, type UbusCall } from '../../src/detect/network';
import { FakeClock } from '../../src/util/clock';
import { nullLogger } from '../../src/util/log';

/**
 * Following duplicate address detection: the bound from the device's settings, when a set of
 * tentative addresses counts as settled, the poll on a fake clock, and what the network
 * source says about a tentative and a failed address. The real kernel doing DAD is in
 * test/integration/router-netns.test.ts.
 */

// include/uapi/linux/if_addr.h
const TENTATIVE = 0x40;
const DADFAILED = 0x08;
const OPTIMISTIC = 0x04;
const PERMANENT = 0x80;
const k = (address: string, flags: number, device = 'va'): KernelAddress => ({ address, flags, device, prefixLength: 64 });

t.test('dadBoundMs: from the device sysctls, defaults when unreadable, capped', async (t) => {
  const files: Record<string, string> = {
    '/proc/sys/net/ipv6/conf/va/dad_transmits': '3\n',
    '/proc/sys/net/ipv6/neigh/va/retrans_time_ms': '500\n',
    '/proc/sys/net/ipv6/conf/va/router_solicitation_delay': '1\n',
  };
  const read = async (p: string) => {
    if (p in files) return files[p];
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  t.equal(await dadBoundMs('va', read), 2 * (1000 + 3 * 500) + 1000);
  t.equal(await dadBoundMs('nodev', read), 2 * (1000 + 1000) + 1000, 'kernel defaults: 1 probe, 1 s apart, up to 1 s delay');
  files['/proc/sys/net/ipv6/conf/va/dad_transmits'] = '1000';
  t.equal(await dadBoundMs('va', read), 60_000, 'at most a minute');
});

t.test('isSettled: usable, failed or gone; optimistic counts as usable; other devices do not count', async (t) => {
  const p = { device: 'va', addresses: ['2001:db8:1::10'] };
  t.notOk(isSettled(p, [k('2001:db8:1::10', TENTATIVE | PERMANENT)]));
  t.ok(isSettled(p, [k('2001:db8:1::10', PERMANENT)]), 'DAD done');
  t.ok(isSettled(p, [k('2001:db8:1::10', TENTATIVE | DADFAILED)]), 'DAD failed');
  t.ok(isSettled(p, [k('2001:db8:1::10', TENTATIVE | OPTIMISTIC)]), 'optimistic DAD: usable meanwhile');
  t.ok(isSettled(p, []), 'address removed');
  t.ok(isSettled(p, [k('2001:db8:1::10', TENTATIVE, 'vb')]), 'the same address tentative on another device is not ours');
  t.ok(isSettled(p, undefined), 'no /proc/net/if_inet6: nothing to wait for');
  t.notOk(isSettled({ device: 'va', addresses: ['2001:db8:1::10', '2001:db8:1::11'] }, [k('2001:db8:1::10', 0), k('2001:db8:1::11', TENTATIVE)]), 'all of them');
});

t.test('waitSettled polls every POLL_MS on the clock until DAD ends, or gives up at the bound', async (t) => {
  const clock = new FakeClock();
  let flags = TENTATIVE;
  let reads = 0;
  const deps = { clock, boundMs: async () => 3000, readKernel: async () => (reads++, [k('2001:db8:1::10', flags)]) };
  const pending = { device: 'va', addresses: ['2001:db8:1::10'] };
  let result: string | undefined;
  void waitSettled(pending, new AbortController().signal, deps).then((r) => (result = r));
  await clock.advance(1000);
  t.equal(result, undefined, 'still tentative after 1 s');
  t.ok(reads >= 1000 / POLL_MS && reads <= 1000 / POLL_MS + 2, `polled every ${POLL_MS} ms (${reads} reads in 1 s)`);
  flags = 0;
  await clock.advance(POLL_MS);
  t.equal(result, 'settled', 'seen within one poll of the kernel clearing it');

  flags = TENTATIVE;
  let late: string | undefined;
  void waitSettled(pending, new AbortController().signal, deps).then((r) => (late = r));
  await clock.advance(2999);
  t.equal(late, undefined);
  await clock.advance(1);
  t.equal(late, 'timeout', 'still tentative at the bound');

  const ac = new AbortController();
  let stopped: string | undefined;
  void waitSettled(pending, ac.signal, deps).then((r) => (stopped = r));
  await clock.advance(40);
  ac.abort();
  await clock.advance(0);
  t.equal(stopped, 'aborted');
  t.equal(clock.pendingCount, 0, 'no timer left behind');
});

t.test('network source: a tentative address is pending with its own sentence; a failed one is a warning', async (t) => {
  const status = {
    up: true, proto: 'dhcpv6', l3_device: 'va', device: 'va',
    'ipv6-address': [{ address: '2001:db8:1::10', mask: 64, preferred: 3600, valid: 7200 }],
    'ipv6-prefix': [{ address: '2001:db8:2::', mask: 56 }],
  };
  const call: UbusCall = async () => status;
  let kernel = [k('2001:db8:1::10', TENTATIVE | PERMANENT)];
  const src = networkSource({ network: 'wan', network6: 'wan6', allowPrivate: false, ipv6: { mode: 'auto' } }, { call, kernelAddresses: async () => kernel });
  let d = await src.detect(6, { log: nullLogger });
  t.equal(d.address, undefined);
  t.same(d.pending, { device: 'va', addresses: ['2001:db8:1::10'] });
  t.match(d.error, /2001:db8:1::10 on network wan6 is still tentative \(duplicate address detection running/);
  t.notMatch(d.error, /delegated prefix but no global address/, 'the address exists: no advice about prefixes');
  t.equal(d.preferredForMs, undefined);

  kernel = [k('2001:db8:1::10', TENTATIVE | DADFAILED | PERMANENT)];
  d = await src.detect(6, { log: nullLogger });
  t.equal(d.address, undefined);
  t.equal(d.pending, undefined, 'a failed address is not followed');
  t.match(d.warnings, [/2001:db8:1::10 on network wan6 failed duplicate address detection: another host on the link uses it, so it is never published/]);
  t.notMatch(d.error, /delegated prefix but no global address/);

  kernel = [k('2001:db8:1::10', PERMANENT)];
  d = await src.detect(6, { log: nullLogger });
  t.equal(d.address, '2001:db8:1::10');
  t.equal(d.preferredForMs, 3_600_000, 'followed until its preferred lifetime ends');
  t.equal(d.pending, undefined);
});
