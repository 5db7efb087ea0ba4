// postinst / prerm of both packages: on a live router they enable, start, stop as OpenWrt's
// default scripts do; inside an image build (IPKG_INSTROOT set) they do nothing. They run
// verbatim in a private mount namespace whose /etc and /tmp are test directories, with
// recorders standing in for /etc/init.d/ddnsd and /etc/init.d/rpcd.
import t from 'tap';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, run } from '../support/openwrt/helpers';
import { canUnshare, inRootfs } from '../support/openwrt/rootfs';
import { skipUnlessCi } from '../support/real';

const FILES = join(REPO, 'openwrt/files');
const SUPPORT = join(REPO, 'test/support/openwrt');
// In CI (root) these must run: a machine where unshare -m fails makes them fail there.
const skip = skipUnlessCi(!canUnshare() && 'needs root and mount namespaces (unshare -m)');

function router(dir: string) {
  for (const d of ['etc/init.d', 'etc/uci-defaults', 'etc/config', 'tmp/luci-modulecache']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(join(SUPPORT, 'initd-recorder'), join(dir, 'etc/init.d/ddnsd'));
  copyFileSync(join(SUPPORT, 'initd-recorder'), join(dir, 'etc/init.d/rpcd'));
  // A uci-defaults script that leaves a mark, so the test sees whether it ran.
  writeFileSync(join(dir, 'etc/uci-defaults/95-ddnsd'), `touch /etc/config/uci-defaults-ran\n`);
  writeFileSync(join(dir, 'tmp/luci-indexcache.abc'), 'x');
  writeFileSync(join(dir, 'tmp/other'), 'keep');
  // Scripts and the recorder's log live under the bound /etc: the test directory itself may live below /tmp
  // (a CI clone), which the namespace's own /tmp hides.
  const script = (name: string) => {
    mkdirSync(join(dir, 'etc/.pkgscripts'), { recursive: true });
    copyFileSync(join(FILES, name), join(dir, 'etc/.pkgscripts', name));
    return `/etc/.pkgscripts/${name}`;
  };
  return {
    run(name: string, env: Record<string, string> = {}) {
      return inRootfs(
        [
          { bind: join(dir, 'etc'), at: '/etc' },
          { bind: join(dir, 'tmp'), at: '/tmp' },
        ],
        ['sh', script(name)],
        { env: { PATH: process.env.PATH, INITD_RECORD: '/etc/.initd.calls', INITD_ENABLED: '1', ...env } },
      );
    },
    calls: () => (existsSync(join(dir, 'etc/.initd.calls')) ? readFileSync(join(dir, 'etc/.initd.calls'), 'utf8').split('\n').filter(Boolean) : []),
    ran: () => existsSync(join(dir, 'etc/config/uci-defaults-ran')),
    uciDefaultsLeft: () => existsSync(join(dir, 'etc/uci-defaults/95-ddnsd')),
    tmp: () => readdirSync(join(dir, 'tmp')).sort(),
  };
}

t.test('ddnsd postinst, first install on a live router', { skip }, async (t) => {
  const r = router(t.testdir());
  const res = r.run('ddnsd.postinst');
  t.equal(res.code, 0, res.stderr);
  t.ok(r.ran(), 'ran the uci-defaults script');
  t.notOk(r.uciDefaultsLeft(), 'and removed it after success');
  t.same(r.calls(), ['ddnsd enable', 'ddnsd enabled', 'ddnsd restart']);
  t.same(r.tmp(), ['luci-modulecache', 'other'], 'LuCI index cache dropped');
});

t.test('ddnsd postinst, upgrade: keeps a disabled service disabled', { skip }, async (t) => {
  const r = router(t.testdir());
  t.equal(r.run('ddnsd.postinst', { PKG_UPGRADE: '1', INITD_ENABLED: '0' }).code, 0);
  t.same(r.calls(), ['ddnsd enabled'], 'no enable, no restart');
  const r2 = router(t.testdir());
  t.equal(r2.run('ddnsd.postinst', { PKG_UPGRADE: '1' }).code, 0);
  t.same(r2.calls(), ['ddnsd enabled', 'ddnsd restart'], 'an enabled one restarts on the new binary');
});

for (const [name, env] of [
  ['ddnsd.postinst', { IPKG_INSTROOT: '/build/root' }],
  ['ddnsd.postinst', { IPKG_NO_SCRIPT: '1' }],
  ['ddnsd.prerm', { IPKG_INSTROOT: '/build/root' }],
  ['luci-app-ddnsd.postinst', { IPKG_INSTROOT: '/build/root' }],
] as const) {
  t.test(`${name} with ${Object.keys(env)[0]} does nothing`, { skip }, async (t) => {
    const r = router(t.testdir());
    const res = r.run(name, env);
    t.equal(res.code, 0, res.stderr);
    t.same(r.calls(), []);
    t.notOk(r.ran());
    t.ok(r.uciDefaultsLeft());
    t.same(r.tmp(), ['luci-indexcache.abc', 'luci-modulecache', 'other']);
  });
}

t.test('ddnsd prerm on a live router: disable and stop; on upgrade only stop', { skip }, async (t) => {
  const r = router(t.testdir());
  t.equal(r.run('ddnsd.prerm').code, 0);
  t.same(r.calls(), ['ddnsd disable', 'ddnsd stop']);
  const u = router(t.testdir());
  t.equal(u.run('ddnsd.prerm', { PKG_UPGRADE: '1' }).code, 0);
  t.same(u.calls(), ['ddnsd stop']);
});

t.test('luci-app-ddnsd postinst on a live router: caches dropped, rpcd reloaded', { skip }, async (t) => {
  const r = router(t.testdir());
  const res = r.run('luci-app-ddnsd.postinst');
  t.equal(res.code, 0, res.stderr);
  t.same(r.calls(), ['rpcd reload']);
  t.same(r.tmp(), ['other']);
});

t.test('every maintainer script passes sh -n', async (t) => {
  for (const f of ['ddnsd.postinst', 'ddnsd.prerm', 'luci-app-ddnsd.postinst', 'ddnsd.uci-defaults', 'ddnsd.hotplug']) {
    const res = run('sh', ['-n', join(FILES, f)]);
    t.equal(res.code, 0, `${f} ${res.stderr}`);
  }
});
