import t from 'tap';
import { FakeHttp } from '../support/fake-http';
import { namecheap, splitName } from '../../src/providers/namecheap';
import { AGENT, ctx, instance, leaked, upd } from './ddns-support';

const PASS = '0123456789abcdef0123456789abcdef';
const V4 = '192.0.2.40';

function xml(ip: string | undefined, errors: string[] = []): string {
  return `<?xml version="1.0"?>
<interface-response>
  <Command>SETDNSHOST</Command>
  <Language>eng</Language>
  ${ip ? `<IP>${ip}</IP>` : ''}
  <ErrCount>${errors.length}</ErrCount>
  ${errors.length ? `<errors>${errors.map((e, i) => `<Err${i + 1}>${e}</Err${i + 1}>`).join('')}</errors>` : ''}
  <ResponseCount>${errors.length}</ResponseCount>
  <Done>true</Done>
  <debug><![CDATA[]]></debug>
</interface-response>`;
}

t.test('names split into host and domain', async (t) => {
  t.strictSame(splitName('www.example.com', ''), { host: 'www', domain: 'example.com' });
  t.strictSame(splitName('example.com', ''), { host: '@', domain: 'example.com' });
  t.strictSame(splitName('*.example.com', ''), { host: '*', domain: 'example.com' });
  t.strictSame(splitName('a.b.example.co.uk', 'example.co.uk'), { host: 'a.b', domain: 'example.co.uk' });
  t.equal(splitName('www.other.org', 'example.com'), undefined);
});

t.test('request fields and a successful XML answer', async (t) => {
  const fake = await FakeHttp.start(t);
  fake.expect(
    { method: 'GET', path: '/update', query: { host: 'www', domain: 'example.com', password: PASS, ip: V4 }, headers: { 'user-agent': AGENT }, reply: { body: xml(V4) } },
    { method: 'GET', path: '/update', query: { host: '@', domain: 'example.com', password: PASS, ip: V4 }, reply: { body: xml(V4) } },
  );
  const cx = ctx();
  const res = await instance(namecheap, { endpoint: fake.url, password: PASS }).update([upd('www.example.com', 'A', V4), upd('example.com', 'A', V4)], cx);
  t.strictSame(res.map((r) => [r.outcome, r.address]), [['ok', V4], ['ok', V4]]);
  t.strictSame(leaked([PASS], res, cx.lines), []);
  fake.assertDone(t);
});

t.test('errors in the XML, a different IP, statuses, AAAA', async (t) => {
  const cases: [number, string, string, number?][] = [
    [200, xml(undefined, ['Passwords do not match']), 'auth'],
    [200, xml(undefined, ['No Records updated. A record not Found;']), 'nohost'],
    [200, xml(undefined, ['Domain name not found']), 'nohost'],
    [200, xml(undefined, ['Invalid IP']), 'config'],
    [200, xml('198.51.100.1'), 'transient', 1_800_000],
    [200, '<html>oops</html>', 'transient', 1_800_000],
    [503, '', 'transient', 300_000],
  ];
  for (const [status, body, outcome, wait] of cases) {
    const fake = await FakeHttp.start(t);
    fake.expect({ method: 'GET', path: '/update', query: { host: 'home', domain: 'example.co.uk', password: PASS, ip: V4 }, reply: { status, body } });
    const cx = ctx();
    const [r] = await instance(namecheap, { endpoint: fake.url, password: PASS, zone: 'example.co.uk' }).update([upd('home.example.co.uk', 'A', V4)], cx);
    t.equal(r.outcome, outcome, body.slice(0, 60));
    if (wait) t.equal(r.retryAfterMs, wait);
    t.strictSame(leaked([PASS], r, cx.lines), []);
    fake.assertDone(t);
  }
  const [six] = await instance(namecheap, { password: PASS }).update([upd('home.example.com', 'AAAA', '2001:db8::1')], ctx());
  t.equal(six.outcome, 'config', 'IPv6 is not offered by Namecheap Dynamic DNS');
  t.equal(namecheap.capabilities.ipv6, false);
});

t.test('a reply built to make the XML tag search backtrack is read in linear time', async (t) => {
  const fake = await FakeHttp.start(t);
  // 200 kB of blanks after an opening tag: the old pattern took 44 s for 5 kB of them.
  const spaces = ' '.repeat(200_000);
  fake.expect(
    { method: 'GET', path: '/update', query: { host: 'www', domain: 'example.com', password: PASS, ip: V4 }, reply: { body: `<ErrCount>${spaces}` } },
    { method: 'GET', path: '/update', query: { host: 'www', domain: 'example.com', password: PASS, ip: V4 }, reply: { body: `<ErrCount>1</ErrCount><Err1>${spaces}x${spaces}` } },
    { method: 'GET', path: '/update', query: { host: 'www', domain: 'example.com', password: PASS, ip: V4 }, reply: { body: `<ErrCount> 1 </ErrCount><Err1>  Passwords do not match </Err1>` } },
  );
  const p = instance(namecheap, { endpoint: fake.url, password: PASS });
  const [a] = await p.update([upd('www.example.com', 'A', V4)], ctx());
  t.equal(a.outcome, 'transient', 'no ErrCount: not the XML reply');
  const [b] = await p.update([upd('www.example.com', 'A', V4)], ctx());
  t.equal(b.outcome, 'config');
  t.ok(b.message.length < 400, 'an unterminated error text is not quoted whole');
  const [c] = await p.update([upd('www.example.com', 'A', V4)], ctx());
  t.equal(c.outcome, 'auth');
  t.match(c.message, /refused to update www\.example\.com: Passwords do not match$/, 'the text is trimmed');
  fake.assertDone(t);
});
