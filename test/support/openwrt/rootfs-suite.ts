// The router-root test of one ISA (test/openwrt/rootfs-<isa>.test.ts): the real package's
// data tree in a root with no glibc (router-root.ts), and inside it ddnsd --version,
// providers --json, check, update --once against a fake dyndns2 server on 127.0.0.1, and an
// update over HTTPS to a loopback server whose CA is only in the root's
// /etc/ssl/certs/ca-certificates.crt (then the same without it: refused).
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { FakeHttp, makeTestCert } from '../fake-http';
import { missingReal } from '../real';
import { configText, dyndnsStep, PASSWORD, serviceSection } from '../../integration/world';
import { glibcOutsidePrivateDir, ISA_ROOTS, makeRoot, missingTools, VERSION, type Isa } from './router-root';

const HOST_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export function rootfsSuite(isa: Isa): void {
  // Node under qemu-user takes seconds per start; a whole file takes minutes on a busy machine.
  t.setTimeout(1_800_000);

  t.test(`${isa}: the package runs in a router root with no glibc`, async (t) => {
    const missing = missingTools(isa);
    if (missing) return missingReal(t, missing);
    const cert = makeTestCert();
    // The root's bundle: a private CA, plus (natively) the public roots as on a router. Under
    // qemu the public roots are left out: parsing some 140 more certificates in an emulated CPU
    // on a busy machine can outlast the request's 15 s timeout; Node's own roots still apply.
    const publicRoots = !ISA_ROOTS[isa].qemu && existsSync(HOST_BUNDLE) ? readFileSync(HOST_BUNDLE, 'utf8') : '';
    const root = makeRoot(isa, publicRoots + cert.cert);
    t.teardown(() => root.remove());
    t.same(glibcOutsidePrivateDir(root), [], 'no glibc loader or libc outside /usr/lib/ddnsd');

    const v = await root.ddnsd(['--version']);
    t.equal(v.code, 0, `--version exits 0 ${v.stderr}`);
    t.equal(v.stdout.trim(), VERSION, '--version prints the version');
    t.equal(v.stderr, '', 'and nothing on stderr');

    const p = await root.ddnsd(['providers', '--json']);
    t.equal(p.code, 0, p.stderr);
    const ids = (JSON.parse(p.stdout) as { id: string }[]).map((x) => x.id);
    t.ok(ids.includes('dyndns2') && ids.includes('cloudflare'), `providers --json lists the providers (${ids.length})`);

    // The configuration the package installs is one `check` accepts as it ships.
    t.ok(existsSync(`${root.dir}/etc/config/ddnsd`), 'the package installs /etc/config/ddnsd');
    const shipped = await root.ddnsd(['check', '--config', '/etc/config/ddnsd']);
    t.equal(shipped.code, 0, `check passes the shipped /etc/config/ddnsd: ${shipped.stdout}${shipped.stderr}`);

    const script = { ip_source: 'script', ip_script: '/bin/echo 203.0.113.77' };
    root.write('/etc/config/sample', configText([serviceSection('home', 'https://dyndns.example.net', script)]));
    const good = await root.ddnsd(['check', '--config', '/etc/config/sample']);
    t.equal(good.code, 0, `check passes a good sample: ${good.stdout}${good.stderr}`);
    root.write('/etc/config/bad', configText([serviceSection('home', 'http://127.0.0.1:9', { provider: 'no-such-provider' })]));
    const bad = await root.ddnsd(['check', '--config', '/etc/config/bad']);
    t.equal(bad.code, 1, 'check fails a bad sample');
    t.match(bad.stdout + bad.stderr, /home\.provider/, 'naming the section and option');

    const fake = await FakeHttp.start(t);
    fake.expect(dyndnsStep('home.example.com', '203.0.113.77', 'good 203.0.113.77'));
    root.write('/etc/config/ddnsd', configText([serviceSection('home', fake.url, script)]), 0o600);
    const u = await root.ddnsd(['update', '--once', '--config', '/etc/config/ddnsd']);
    t.equal(u.code, 0, `update --once over HTTP exits 0: ${u.stdout}${u.stderr}`);
    t.match(u.stdout, /home\.example\.com A: ok, detected 203\.0\.113\.77, registered 203\.0\.113\.77/);
    t.notOk((u.stdout + u.stderr).includes(PASSWORD), 'the password is not printed');
    fake.assertDone(t);

    const secure = await FakeHttp.start(t, { tls: cert });
    t.match(secure.url, /^https:\/\/127\.0\.0\.1:/);
    // `update --once` keeps its state (the record holds .77 now): each run below has a new address to send.
    secure.expect(dyndnsStep('home.example.com', '203.0.113.78', 'good 203.0.113.78'));
    root.write('/etc/config/ddnsd', configText([serviceSection('home', secure.url, { ...script, ip_script: '/bin/echo 203.0.113.78' })]), 0o600);
    const s = await root.ddnsd(['update', '--once', '--config', '/etc/config/ddnsd']);
    // Without the private CA: a bundle that still holds a certificate (one of Node's roots).
    const rootsOnly = rootCertificates[0];
    t.equal(s.code, 0, `update --once over HTTPS, CA only in the root's bundle: ${s.stdout}${s.stderr}`);
    t.match(s.stdout, /home\.example\.com A: ok, detected 203\.0\.113\.78, registered 203\.0\.113\.78/);

    root.write('/etc/ssl/certs/ca-certificates.crt', publicRoots || rootsOnly);
    root.write('/etc/config/ddnsd', configText([serviceSection('home', secure.url, { ...script, ip_script: '/bin/echo 203.0.113.79' })]), 0o600);
    const refused = await root.ddnsd(['update', '--once', '--config', '/etc/config/ddnsd']);
    t.not(refused.code, 0, 'without the private CA in the bundle the update fails');
    t.match(refused.stdout + refused.stderr, /TLS|certificate/i, 'with a TLS error');
    secure.assertDone(t);
  });
}
