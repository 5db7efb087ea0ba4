import t from 'tap';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { caBundle, CaError } from '../../src/net/ca';
import { request, HttpError } from '../../src/net/http';
import { FakeHttp, makeTestCert } from '../support/fake-http';

t.test('cacert as a file: the built-in roots plus its certificates; HTTPS to a private CA works', async (t) => {
  const cert = makeTestCert();
  const dir = t.testdir({ 'my-ca.crt': `# a comment line\n${cert.cert}` });
  const bundle = caBundle(join(dir, 'my-ca.crt'));
  t.equal(bundle.length, rootCertificates.length + 1, 'in addition to the roots, never instead');
  t.same(bundle.slice(0, rootCertificates.length), [...rootCertificates]);
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
  t.equal(caBundle(join(dir, 'certs')).length, rootCertificates.length + 1);
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
