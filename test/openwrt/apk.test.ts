// The .apk packages (apk-tools v3, OpenWrt 25.12+) read back with test/support/adb.ts, a
// reader of the ADB format written from its specification that shares no code with the
// packer: container and compression, every info field, dependencies, arch, scripts as
// OpenWrt's package-pack.mk derives them, the data tree with modes, owners, symlinks and
// SHA-256 per file, OpenWrt's /lib/apk/packages metadata (the conffiles of apk v3), the
// unique id, byte-identical rebuilds, no build path. On synthetic staging trees and, when
// `make` has built them, on the packages in dist/.
import t, { Test } from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ApkPackage, listing, readApk, uniqueIdMatches } from '../support/adb';
import { REPO, run } from '../support/openwrt/helpers';
import { missingReal } from '../support/real';
import { ARCHES, ELF, Manifest, Node, REFUSED, adbLines, apkMetadata, pathsInApk, expectedDdnsd, expectedLuci, isaOf, loadApk, makeStage } from '../support/openwrt/packages';

const PACKER = join(REPO, 'openwrt/tools/apk.cjs');
const EPOCH = 1790000000;
const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
const FULL = `${VERSION}-r1`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const read = (p: string) => readFileSync(join(REPO, p), 'utf8');

function pack(stage: string, out: string, epoch = EPOCH) {
  return run(process.execPath, [PACKER, '--version', VERSION, '--stage', stage, '--out', out], {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
}

function checkTree(t: Test, pkg: ApkPackage, want: Node[], mtime?: number) {
  t.same(listing(pkg), adbLines(want), 'data tree: paths, modes, root:root, symlinks');
  for (const n of want.filter((w) => w.type === 'file')) {
    const got = pkg.data.get(n.path);
    if (!got || !got.equals(n.data!)) t.fail(`${n.path} differs from its source`);
  }
  const files = pkg.paths.flatMap((d) => d.files);
  if (mtime !== undefined) t.ok(files.every((f) => f.mtime === mtime), 'every mtime is the fixed epoch');
  t.equal(pkg.info.installedSize, want.filter((n) => n.type === 'file').reduce((s, n) => s + n.data!.length, 0), 'installed-size: bytes of regular files');
  t.ok(uniqueIdMatches(pkg), 'unique id: SHA-256 of the ADB block, as apk mkpkg makes it');
  t.equal(pkg.compression, 'deflate', 'compressed as OpenWrt ships apks (ADBd, raw deflate)');
  t.equal(pkg.schema, 'pckg');
}

function checkDdnsdApk(t: Test, file: string, arch: string, stageDir: string, mtime?: number) {
  const isa = isaOf(arch)!;
  const m = JSON.parse(readFileSync(join(stageDir, `${isa}.json`), 'utf8')) as Manifest;
  const pkg = loadApk(file);
  const i = pkg.info;
  t.equal(i.name, 'ddnsd');
  t.equal(i.version, FULL);
  t.equal(i.arch, arch, 'arch');
  t.equal(i.license, 'MIT AND GPL-3.0-or-later WITH GCC-exception-3.1 AND LGPL-2.1-or-later');
  t.equal(i.origin, 'ddnsd');
  t.same(i.depends, [{ name: 'jshn' }, { name: 'ubus' }], 'depends: jshn, ubus (sorted, no version)');
  t.same(i.provides, [], 'provides nothing');
  t.ok(i.description!.includes(`Node.js ${m.node_version}`), 'description names the Node version');
  t.notOk(i.description!.includes('\n'), 'description on one line');
  if (m.experimental) {
    t.match(i.description!, /EXPERIMENTAL armv7 build/);
    if (Number(m.node_version.split('.')[0]) <= 20) t.match(i.description!, /no longer gets security fixes/);
  } else t.notMatch(i.description!, /EXPERIMENTAL/);
  const post = read('openwrt/files/ddnsd.postinst');
  t.same(
    pkg.scripts,
    {
      'post-install': post,
      'pre-deinstall': read('openwrt/files/ddnsd.prerm'),
      'post-upgrade': post.replace(/^#!\/bin\/sh\n/, '#!/bin/sh\nexport PKG_UPGRADE=1\n'),
    },
    'scripts: post-install, pre-deinstall, post-upgrade (PKG_UPGRADE=1)',
  );
  const tree = expectedDdnsd(join(stageDir, isa));
  checkTree(t, pkg, apkMetadata('ddnsd', tree, ['/etc/config/ddnsd']), mtime);
  t.equal(pkg.data.get('lib/apk/packages/ddnsd.conffiles')!.toString(), '/etc/config/ddnsd\n', 'conffiles');
  t.equal(
    pkg.data.get('lib/apk/packages/ddnsd.conffiles_static')!.toString(),
    `/etc/config/ddnsd ${sha(readFileSync(join(REPO, 'openwrt/files/ddnsd.config')))}\n`,
    'conffiles_static: path and SHA-256 (sysupgrade)',
  );
  const exe = pkg.data.get('usr/lib/ddnsd/ddnsd')!;
  t.same([exe.readUInt16LE(18), exe[4]], ELF[isa], `the executable is an ELF file for ${isa}`);
  // /etc/config/ddnsd is inside (conffiles): the search does find what is there.
  t.same(pathsInApk(pkg, [REPO, stageDir, '/etc/config/ddnsd']), ['/etc/config/ddnsd'], 'no path of the build machine inside');
}

function checkLuciApk(t: Test, file: string, mtime?: number) {
  const pkg = loadApk(file);
  t.match(pkg.info, { name: 'luci-app-ddnsd', version: FULL, arch: 'noarch', license: 'MIT', description: 'LuCI pages for ddnsd: status of services and records, log, configuration.' });
  t.same(pkg.info.depends, [{ name: 'ddnsd' }, { name: 'luci-base' }]);
  const post = read('openwrt/files/luci-app-ddnsd.postinst');
  t.same(pkg.scripts, { 'post-install': post, 'post-upgrade': post.replace(/^#!\/bin\/sh\n/, '#!/bin/sh\nexport PKG_UPGRADE=1\n') });
  checkTree(t, pkg, apkMetadata('luci-app-ddnsd', expectedLuci(), []), mtime);
}

function checkAll(t: Test, out: string, stage: string, mtime?: number) {
  const isas = Object.keys(ARCHES).filter((isa) => existsSync(join(stage, `${isa}.json`)));
  const dirs = readdirSync(join(out, 'apk')).sort();
  t.same(dirs, [...isas.flatMap((isa) => ARCHES[isa]), 'noarch'].sort(), 'a directory per arch string, plus noarch');
  for (const bad of REFUSED) t.notOk(dirs.includes(bad), `no package for ${bad}`);
  for (const isa of isas) {
    for (const arch of ARCHES[isa]) {
      t.test(arch, async (t) => {
        t.same(readdirSync(join(out, 'apk', arch)), [`ddnsd-${FULL}.apk`], 'named <name>-<version>.apk');
        checkDdnsdApk(t, join(out, 'apk', arch, `ddnsd-${FULL}.apk`), arch, stage, mtime);
      });
    }
  }
  t.test('luci-app-ddnsd', async (t) => checkLuciApk(t, join(out, 'apk', 'noarch', `luci-app-ddnsd-${FULL}.apk`), mtime));
}

t.test('synthetic staging trees: every apk is what it must be', async (t) => {
  const dir = t.testdir();
  const stage = join(dir, 'stage');
  for (const isa of Object.keys(ARCHES)) makeStage(stage, isa);
  const r = pack(stage, join(dir, 'out'));
  t.equal(r.code, 0, r.stderr);
  checkAll(t, join(dir, 'out'), stage, EPOCH);
});

t.test('two builds are byte-identical; the arches of one ISA differ only in the head', async (t) => {
  const dir = t.testdir();
  const stage = join(dir, 'stage');
  makeStage(stage, 'aarch64');
  for (const n of ['a', 'b']) t.equal(pack(stage, join(dir, n)).code, 0);
  for (const arch of [...ARCHES.aarch64, 'noarch']) {
    const name = arch === 'noarch' ? `luci-app-ddnsd-${FULL}.apk` : `ddnsd-${FULL}.apk`;
    t.equal(sha(readFileSync(join(dir, 'b', 'apk', arch, name))), sha(readFileSync(join(dir, 'a', 'apk', arch, name))), `${arch} identical`);
  }
  const a53 = loadApk(join(dir, 'a', 'apk', 'aarch64_cortex-a53', `ddnsd-${FULL}.apk`));
  const gen = loadApk(join(dir, 'a', 'apk', 'aarch64_generic', `ddnsd-${FULL}.apk`));
  t.not(a53.info.uniqueId, gen.info.uniqueId, 'each arch has its own unique id');
  t.same(listing(a53), listing(gen), 'same tree');
});

t.test('the reader is not a rubber stamp: it rejects damaged packages', async (t) => {
  const dir = t.testdir();
  const stage = join(dir, 'stage');
  makeStage(stage, 'x86_64');
  t.equal(pack(stage, join(dir, 'out')).code, 0);
  const file = readFileSync(join(dir, 'out', 'apk', 'x86_64', `ddnsd-${FULL}.apk`));
  const raw = inflateRawSync(file.subarray(4));
  const again = (b: Buffer) => Buffer.concat([Buffer.from('ADBd'), deflateRawSync(b)]);
  t.doesNotThrow(() => readApk(again(raw)), 'recompressed intact: still fine');
  // Flip the last byte of the executable's data (the largest DATA block ends near the end).
  const flipped = Buffer.from(raw);
  const exeAt = flipped.indexOf(Buffer.from('fake ddnsd x86_64'));
  flipped[exeAt] ^= 1;
  t.throws(() => readApk(again(flipped)), /usr\/lib\/ddnsd\/ddnsd does not match its SHA-256/);
  t.throws(() => readApk(Buffer.from('ustar')), /not an apk v3 file/);
  t.throws(() => readApk(again(raw.subarray(0, raw.length - 8))), /DATA blocks for|does not fit/);
});

const DIST = join(REPO, 'dist');
// Reading ~10 packages of 40 MB each takes minutes on a busy machine.
if (existsSync(join(DIST, 'stage'))) t.setTimeout(900_000);
const built = existsSync(join(DIST, 'apk')) && existsSync(join(DIST, 'stage'));
t.test('the apks `make` built in dist/', async (t) => {
  if (!built) return missingReal(t, 'make has not built dist/apk and dist/stage (make packages; make test builds them)');
  checkAll(t, DIST, join(DIST, 'stage'));
});

t.test('the writer\'s less common encodings read back: 32-bit blobs, 64-bit integers, extended block headers', async (t) => {
  type Lib = Record<string, (...a: unknown[]) => unknown>;
  const apk = require(join(REPO, 'openwrt/tools/lib/apk.cjs')) as Lib;
  const adb = require(join(REPO, 'openwrt/tools/lib/adb.cjs')) as Lib & { AdbWriter: new () => { int(n: number): number; blob(b: Buffer): number; object(f: number[]): number; finish(r: number): Buffer } };
  const { Tree } = require(join(REPO, 'openwrt/tools/lib/tree.cjs')) as { Tree: new () => { add(p: string, m: number, d: Buffer): unknown } };
  const tree = new Tree();
  tree.add('/usr/share/x/big', 0o644, Buffer.alloc(70000, 7));
  tree.add('/usr/share/x/empty', 0o600, Buffer.alloc(0));
  const script = Buffer.from('#!/bin/sh\n' + '# long\n'.repeat(10000));
  const lay = apk.layout(tree, 2 ** 33);
  const head = apk.adbHead({ name: 'x', version: '1.0-r1', arch: 'noarch', depends: ['a>=1.2', '!b', 'c=2'], provides: ['d=1'] }, lay, { 'post-install': script }) as Buffer;
  const pkg = readApk(Buffer.concat([Buffer.from('ADBd'), deflateRawSync(Buffer.concat([head, ...(lay as { data: Buffer[] }).data]))]));
  t.equal(pkg.scripts['post-install'], script.toString(), 'a 70 KB script (32-bit blob length)');
  t.ok(pkg.paths.flatMap((d) => d.files).every((f) => f.mtime === 2 ** 33), 'mtime 2^33 (64-bit integer)');
  t.same(pkg.data.get('usr/share/x/big'), Buffer.alloc(70000, 7));
  t.same(pkg.data.get('usr/share/x/empty'), Buffer.alloc(0), 'an empty file has a hash and no DATA block');
  t.same(pkg.info.depends, [{ name: 'a', version: '1.2', match: 5 }, { name: 'b', match: 16 }, { name: 'c', version: '2' }], 'dependency operators: >= is 5, ! is 16, = is the default');
  t.same(pkg.info.provides, [{ name: 'd', version: '1' }]);
  const big = adb.blockHeader(2, 0x40000000) as { head: Buffer; pad: Buffer };
  t.same([big.head.length, big.head.readUInt32LE(0), big.head.readUInt32LE(4), Number(big.head.readBigUInt64LE(8)), big.pad.length], [16, 0xc0000002, 0, 0x40000010, 0], 'a block over 1 GiB gets the extended header');
  t.throws(() => apk.adbHead({ name: 'x', version: '1.0.0-r1', arch: 'noarch', depends: ['a>=one'] }, lay, {}), /version of dependency a "one" is not an apk version/);
  t.throws(() => apk.adbHead({ name: 'x', version: 'v1', arch: 'noarch' }, lay, {}), /version of x "v1" is not an apk version/);
  t.throws(() => apk.adbHead({ name: 'x', version: '1', arch: 'noarch' }, lay, { postinst: script }), /unknown script type postinst/);
});
