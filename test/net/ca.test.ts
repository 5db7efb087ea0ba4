import t from 'tap';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { caBundle, CaError, defaultCa } from '../../src/net/ca';
import { request, HttpError } from '../../src/net/http';
import { FakeHttp, makeTestCert } from '../support/fake-http';

// The defaults a service's cacert adds to: Node's roots, plus this machine's bundle if it has one.
const DEFAULTS = defaultCa() ?? rootCertificates;

t.test("defaultCa: Node's roots plus the router's bundle when it holds certificates, read once", async (t) => {
  const cert = makeTestCert();
  const dir = t.testdir({ 'ca-certificates.crt': `${rootCertificates[0]}\n${cert.cert}`, 'empty.crt': '' });
  const bundle = join(dir, 'ca-certificates.crt');
  const ca = defaultCa(bundle);
  t.same(ca, [...rootCertificates, cert.cert.trim()], "Node's roots first, then what the bundle adds to them");
  t.equal(defaultCa(bundle), ca, 'built once');
  t.equal(defaultCa(join(dir, 'missing.crt')), undefined, "no bundle: Node's roots alone");
  t.equal(defaultCa(join(dir, 'empty.crt')), undefined, "a bundle without certificates: Node's roots alone");
  const fake = await FakeHttp.start(t, { tls: cert });
  fake.expect({ method: 'GET', path: '/u', reply: { body: 'private CA' } });
  t.equal((await request({ method: 'GET', url: `${fake.url}/u`, ca })).body, 'private CA', 'a server whose CA is only in the bundle is trusted');
  fake.assertDone(t);
});

t.test('cacert as a file: the defaults plus its certificates; HTTPS to a private CA works', async (t) => {
  const cert = makeTestCert();
  const dir = t.testdir({ 'my-ca.crt': `# a comment line\n${cert.cert}` });
  const bundle = caBundle(join(dir, 'my-ca.crt'));
  t.equal(bundle.length, DEFAULTS.length + 1, 'in addition to the defaults, never instead');
  t.same(bundle.slice(0, DEFAULTS.length), [...DEFAULTS]);
  const fake = await FakeHttp.start(t, { tls: cert });
  fake.expect({ method: 'GET', path: '/u', reply: { body: 'good' } });
  t.equal((await request({ method: 'GET', url: `${fake.url}/u`, ca: bundle })).body, 'good');
  fake.assertDone(t);
});

t.test('cacert as a directory: every PEM file once (hashed links too), other files ignored', async (t) => {
  const cert = makeTestCert();
  const dir = t.testdir({ certs: { 'provider.pem': cert.cert, 'README': 'not a certificate' } });
  symlinkSync('provider.pem', join(dir, 'certs', 'a1b2c3d4.0'));
  symlinkSync('gone.pem', join(dir, 'certs', 'dangling.0'));
  mkdirSync(join(dir, 'certs', 'sub'));
  t.equal(caBundle(join(dir, 'certs')).length, DEFAULTS.length + 1);
});

t.test('cacert that cannot be used says which path and why', async (t) => {
  const dir = t.testdir({ 'empty.pem': '', none: {} });
  writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.crt'), /cannot read .*missing\.crt: no such file or directory/],
    [join(dir, 'empty.pem'), /empty\.pem holds no PEM certificate/],
    [join(dir, 'key.pem'), /key\.pem holds no PEM certificate/],
    [join(dir, 'none'), /none holds no PEM certificate/],
  ];
  for (const [path, msg] of cases) t.throws(() => caBundle(path), { constructor: CaError, message: msg }, path);
});

t.test('insecure: a certificate nobody trusts is accepted only when asked by name', async (t) => {
  const fake = await FakeHttp.start(t, { tls: makeTestCert() });
  fake.expect({ method: 'GET', path: '/u', reply: { body: 'good' } });
  const e = await request({ method: 'GET', url: `${fake.url}/u` }).catch((x: unknown) => x);
  t.ok(e instanceof HttpError && e.kind === 'tls', 'checked by default');
  t.equal((await request({ method: 'GET', url: `${fake.url}/u`, insecure: true })).body, 'good');
  fake.assertDone(t);
});
