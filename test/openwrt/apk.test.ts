// The .apk packages (apk-tools v3, OpenWrt 25.12+), built by openwrt/tools/apk.cjs with a
// real `apk mkpkg` and read back with apk's own tools: metadata (adbdump), installation into
// an empty root whose /etc/apk/arch matches (and refusal when it does not), the installed
// tree with modes and owners, and byte-identical rebuilds. Debian 12 packages no apk-tools 3,
// so this runs only where one is given as $APK or found as `apk` on PATH.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, fakeElf, ok, run } from '../support/openwrt/helpers';

const APK = process.env.APK || 'apk';
const probe = spawnSync(APK, ['--version'], { encoding: 'utf8' });
const skip = !(probe.status === 0 && /^apk-tools 3\./.test(probe.stdout)) && 'no apk-tools 3.x (set APK=/path/to/apk)';
const PACKER = join(REPO, 'openwrt/tools/apk.cjs');
const EPOCH = '1700000000';

function pack(dir: string) {
  mkdirSync(join(dir, 'release'), { recursive: true });
  writeFileSync(join(dir, 'release', 'ddnsd-aarch64'), fakeElf(183, 'aarch64'), { mode: 0o755 });
  return run(process.execPath, [PACKER, '--version', '0.1.0', '--out', dir, '--release-dir', join(dir, 'release'), '--apk', APK], {
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
  });
}

/** Empty packages standing in for ubus, jshn and luci-base, so dependencies resolve. */
function stubs(dir: string): string[] {
  mkdirSync(join(dir, 'empty'), { recursive: true });
  return ['ubus', 'jshn', 'luci-base'].map((name) => {
    const out = join(dir, `${name}.apk`);
    ok(APK, ['mkpkg', '--info', `name:${name}`, '--info', 'version:1-r1', '--info', 'arch:noarch', '--info', 'description:stub', '--files', join(dir, 'empty'), '--output', out]);
    return out;
  });
}

function install(root: string, arch: string, pkgs: string[]) {
  mkdirSync(join(root, 'etc/apk'), { recursive: true });
  writeFileSync(join(root, 'etc/apk/arch'), arch + '\n');
  return run(APK, ['add', '--root', root, '--initdb', '--allow-untrusted', '--no-network', '--no-scripts', '--no-cache', ...pkgs]);
}

t.test('apk packages: metadata, install into a matching root, modes and owners', { skip }, async (t) => {
  const dir = t.testdir();
  const r = pack(dir);
  t.equal(r.code, 0, r.stderr);
  const ddnsd = join(dir, 'apk/aarch64_cortex-a53/ddnsd-0.1.0-r1.apk');
  const luci = join(dir, 'apk/noarch/luci-app-ddnsd-0.1.0-r1.apk');
  const dump = ok(APK, ['adbdump', ddnsd]);
  for (const line of ['name: ddnsd', 'version: 0.1.0-r1', 'arch: aarch64_cortex-a53', 'license: MIT', 'origin: ddnsd', '- jshn', '- ubus', 'post-install: |', 'post-upgrade: |', 'pre-deinstall: |']) {
    t.ok(dump.includes(line), `adbdump has "${line}"`);
  }
  t.match(ok(APK, ['adbdump', luci]), /arch: noarch[\s\S]*- ddnsd[\s\S]*- luci-base/);

  const root = join(dir, 'root');
  const add = install(root, 'aarch64_cortex-a53', [...stubs(join(dir, 'stubs')), ddnsd, luci]);
  t.equal(add.code, 0, add.stdout + add.stderr);
  const tree = ok('find', [root, '-type', 'f', '-not', '-path', '*/lib/apk/db/*', '-not', '-path', '*/var/*', '-not', '-path', '*/etc/apk/*', '-printf', '%M %u:%g %P\n'])
    .split('\n')
    .filter(Boolean)
    .sort((a, b) => a.split(' ')[2].localeCompare(b.split(' ')[2]));
  t.same(tree, [
    '-rw------- root:root etc/config/ddnsd',
    '-rw-r--r-- root:root etc/hotplug.d/iface/95-ddnsd',
    '-rwxr-xr-x root:root etc/init.d/ddnsd',
    '-rwxr-xr-x root:root etc/uci-defaults/95-ddnsd',
    '-rw-r--r-- root:root lib/apk/packages/ddnsd.conffiles',
    '-rw-r--r-- root:root lib/apk/packages/ddnsd.conffiles_static',
    '-rw-r--r-- root:root lib/apk/packages/ddnsd.list',
    '-rw-r--r-- root:root lib/apk/packages/luci-app-ddnsd.list',
    '-rwxr-xr-x root:root usr/bin/ddnsd',
    '-rw-r--r-- root:root usr/share/ddnsd/ddnsd.config',
    '-rw-r--r-- root:root usr/share/luci/menu.d/luci-app-ddnsd.json',
    '-rw-r--r-- root:root usr/share/rpcd/acl.d/luci-app-ddnsd.json',
    '-rw-r--r-- root:root www/luci-static/resources/view/ddnsd/config.js',
    '-rw-r--r-- root:root www/luci-static/resources/view/ddnsd/status.js',
  ]);
  t.same(readFileSync(join(root, 'usr/bin/ddnsd')), fakeElf(183, 'aarch64'));
  t.same(readFileSync(join(root, 'etc/init.d/ddnsd')), readFileSync(join(REPO, 'openwrt/files/ddnsd.init')));
  t.equal(readFileSync(join(root, 'lib/apk/packages/ddnsd.conffiles'), 'utf8'), '/etc/config/ddnsd\n');
  t.match(readFileSync(join(root, 'lib/apk/packages/ddnsd.list'), 'utf8'), /^\/etc\/config\/ddnsd\n[\s\S]*\/usr\/bin\/ddnsd\n/);
});

t.test('apk refuses a package for another arch', { skip }, async (t) => {
  const dir = t.testdir();
  t.equal(pack(dir).code, 0);
  const add = install(join(dir, 'root'), 'x86_64', [...stubs(join(dir, 'stubs')), join(dir, 'apk/aarch64_generic/ddnsd-0.1.0-r1.apk')]);
  t.not(add.code, 0);
  t.match(add.stdout + add.stderr, /arch: aarch64_generic/);
});

t.test('two apk builds are byte-identical', { skip }, async (t) => {
  const dir = t.testdir();
  for (const n of ['a', 'b']) t.equal(pack(join(dir, n)).code, 0);
  for (const f of ['apk/aarch64_generic/ddnsd-0.1.0-r1.apk', 'apk/noarch/luci-app-ddnsd-0.1.0-r1.apk']) {
    t.ok(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), f);
  }
});

t.test('without apk-tools 3 the packer says what is missing', async (t) => {
  const r = run(process.execPath, [PACKER, '--version', '0.1.0', '--out', t.testdir(), '--apk', '/nonexistent/apk']);
  t.equal(r.code, 1);
  t.match(r.stderr, /^apk: no apk-tools binary "\/nonexistent\/apk": .apk packages need apk-tools 3.x/);
});
