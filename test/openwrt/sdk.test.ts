// openwrt/Makefile through stand-ins for the SDK's rules.mk and package.mk
// (test/support/openwrt/sdk): it installs exactly the tree the repo's packer puts into the
// ipk (same paths, modes, symlinks and bytes) from a staging tree, keeps strip off, and
// refuses targets the executable cannot serve. The real SDK is not available offline.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKER, REPO, listTar, ok, run } from '../support/openwrt/helpers';
import { makeStage } from '../support/openwrt/packages';

const SDK = join(REPO, 'test/support/openwrt/sdk');
const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;

function make(target: string, vars: Record<string, string>) {
  const args = ['-s', '-C', join(REPO, 'openwrt'), `TOPDIR=${SDK}`, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), target];
  return run('make', args);
}

t.test('show: package definition with strip disabled', async (t) => {
  const r = make('show', { CONFIG_x86_64: 'y' });
  t.equal(r.code, 0, r.stderr);
  t.same(r.stdout.trim().split('\n'), [
    'TITLE=Event-driven Dynamic DNS client',
    'DEPENDS=@(x86_64||aarch64||arm) +ubus +jshn',
    'STRIP=: RSTRIP=:',
    'CONFFILES=/etc/config/ddnsd',
    `VERSION=${VERSION}-r1`,
  ]);
});

t.test('the SDK install tree equals the ipk data tree', async (t) => {
  const dir = t.testdir();
  const stage = join(dir, 'stage');
  makeStage(stage, 'aarch64');
  const dest = join(dir, 'dest');
  const r = make('install', { CONFIG_aarch64: 'y', DDNSD_STAGE_DIR: stage, DESTDIR: dest });
  t.equal(r.code, 0, r.stderr);
  // The same tree as a tar, made by GNU tar, against the packer's data.tar.gz.
  ok('tar', ['--format=gnu', '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=@0', '-C', dest, '-czf', join(dir, 'sdk.tar.gz'), '.']);
  const p = run(process.execPath, [PACKER, '--version', VERSION, '--out', join(dir, 'out'), '--stage', stage], {
    env: { ...process.env, SOURCE_DATE_EPOCH: '0' },
  });
  t.equal(p.code, 0, p.stderr);
  ok('tar', ['-xzf', join(dir, 'out', 'ipk', `ddnsd_${VERSION}-r1_aarch64_generic.ipk`), '-C', dir, './data.tar.gz']);
  const sdk = listTar(join(dir, 'sdk.tar.gz'));
  const ipk = listTar(join(dir, 'data.tar.gz'));
  t.same(sdk.map((e) => [e.mode, e.name, e.size]), ipk.map((e) => [e.mode, e.name, e.size]));
  t.ok(ipk.some((e) => e.name === './usr/bin/ddnsd -> /usr/lib/ddnsd/ddnsd'), 'the symlink is installed as a symlink');
  for (const e of sdk.filter((x) => !x.name.endsWith('/') && !x.mode.startsWith('l'))) {
    const a = ok('sh', ['-c', 'tar -xzOf "$1" "$2" | sha256sum', 'sh', join(dir, 'sdk.tar.gz'), e.name]);
    const b = ok('sh', ['-c', 'tar -xzOf "$1" "$2" | sha256sum', 'sh', join(dir, 'data.tar.gz'), e.name]);
    t.equal(a, b, `${e.name} same bytes`);
  }
});

t.test('compile refuses what the executable cannot serve, with a reason', async (t) => {
  const dir = t.testdir();
  const stage = join(dir, 'stage');
  makeStage(stage, 'armv7');
  for (const cpu of ['cortex-a9+vfpv3-d16', 'cortex-a7+vfpv4', 'cortex-a5+vfpv4', 'cortex-a9']) {
    const r = make('compile', { CONFIG_arm: 'y', CONFIG_CPU_TYPE: `"${cpu}"`, DDNSD_STAGE_DIR: stage });
    t.not(r.code, 0, cpu);
    t.match(r.stdout, new RegExp(`CPU "?${cpu.replace(/\+/g, '\\+')}"? cannot run npm's armv7 Node \\(needs NEON and VFPv3-D32\\)`), cpu);
  }
  for (const cpu of ['cortex-a7+neon-vfpv4', 'cortex-a15+neon-vfpv4', 'cortex-a9+neon', 'cortex-a8+vfpv3']) {
    const r = make('compile', { CONFIG_arm: 'y', CONFIG_CPU_TYPE: `"${cpu}"`, DDNSD_STAGE_DIR: stage });
    t.equal(r.code, 0, `${cpu}: ${r.stdout}${r.stderr}`);
  }
  let r = make('compile', { CONFIG_mips: 'y' });
  t.not(r.code, 0);
  t.match(r.stdout, /no executable for/);
  r = make('compile', { CONFIG_x86_64: 'y', DDNSD_STAGE_DIR: stage });
  t.not(r.code, 0);
  t.match(r.stdout, /stage\/x86_64\/usr\/lib\/ddnsd\/ddnsd missing: run make in the repo/);
});

t.test('package versions follow package.json', async (t) => {
  for (const f of ['openwrt/Makefile', 'luci-app/Makefile']) {
    t.match(readFileSync(join(REPO, f), 'utf8'), new RegExp(`^PKG_VERSION:=${VERSION.replace(/\./g, '\\.')}$`, 'm'), f);
  }
  const mk = readFileSync(join(REPO, 'openwrt/Makefile'), 'utf8');
  t.match(mk, /^STRIP:=:$/m);
  t.match(mk, /^RSTRIP:=:$/m);
  t.match(readFileSync(join(REPO, 'luci-app/Makefile'), 'utf8'), /^LUCI_DEPENDS:=\+luci-base \+ddnsd$/m);
});
