// The .ipk packages read back with the system's tar and gzip (never the packer's code):
// container layout, every control field, conffiles, maintainer scripts, modes, owners,
// mtimes, symlinks, the data trees against the staging trees on disk, one package per arch
// string, byte-identical rebuilds, no path of the build machine. Run on small synthetic
// staging trees and, when `make` has built them, on the packages in dist/.
import t, { Test } from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, run } from '../support/openwrt/helpers';
import { missingReal } from '../support/real';
import { ARCHES, ELF, Manifest, REFUSED, pathsInIpk, expectedDdnsd, expectedLuci, isaOf, makeStage, readIpk, tarLines } from '../support/openwrt/packages';

const PACKER = join(REPO, 'openwrt/tools/ipk.cjs');
const EPOCH = 1790000000; // 2026-09-21 14:13:20 UTC: Node 20 is past its end of life
const TIME = '2026-09-21 14:13:20';
const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
const FULL = `${VERSION}-r1`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function stageAll(dir: string) {
  const stage = join(dir, 'stage');
  for (const isa of Object.keys(ARCHES)) makeStage(stage, isa);
  return stage;
}

function pack(stage: string, out: string, epoch = EPOCH, packer = PACKER) {
  return run(process.execPath, [packer, '--version', VERSION, '--stage', stage, '--out', out], {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
}

/** Everything one ddnsd ipk must be, checked against its staging tree; `time` is the expected mtime or undefined (dist/). */
function checkDdnsdIpk(t: Test, file: string, arch: string, stageDir: string, work: string, time?: string) {
  const isa = isaOf(arch)!;
  t.ok(isa, `${arch} is an arch string some ISA serves`);
  const m = JSON.parse(readFileSync(join(stageDir, `${isa}.json`), 'utf8')) as Manifest;
  const x = readIpk(file, work);
  t.same([...x.magic], [0x1f, 0x8b], 'outer file is gzip (not an ar archive)');
  t.same(
    x.outer.map((e) => [e.mode, e.owner, e.name]),
    [
      ['-rw-r--r--', '0/0', './debian-binary'],
      ['-rw-r--r--', '0/0', './data.tar.gz'],
      ['-rw-r--r--', '0/0', './control.tar.gz'],
    ],
    'three members in ipkg-build order, root-owned',
  );
  t.equal(readFileSync(join(work, 'debian-binary'), 'utf8'), '2.0\n');
  const fields = Object.fromEntries(x.control);
  t.same(
    x.control.map(([k]) => k),
    ['Package', 'Version', 'Depends', 'Source', 'License', 'Section', 'Architecture', 'Installed-Size', 'Description'],
    'control fields in package-pack.mk order',
  );
  t.equal(fields.Package, 'ddnsd');
  t.equal(fields.Version, FULL);
  t.equal(fields.Architecture, arch);
  t.equal(fields.Depends, 'ubus, jshn');
  t.equal(fields['Installed-Size'], String(x.installed), 'Installed-Size is the data tar size');
  t.equal(fields.License, 'MIT AND GPL-3.0-or-later WITH GCC-exception-3.1 AND LGPL-2.1-or-later', 'licences of ddnsd/Node and the bundled glibc and GCC libraries');
  t.match(fields.Description, /^Event-driven Dynamic DNS client/);
  t.ok(fields.Description.includes(`Node.js ${m.node_version}`), 'Description names the Node version');
  for (const d of m.debian) t.ok(fields.Description.includes(`${d.source} ${d.version}`), `Description names ${d.source} ${d.version}`);
  if (m.experimental) {
    t.match(fields.Description, /EXPERIMENTAL armv7 build/, 'armv7 is labelled experimental');
    if (Number(m.node_version.split('.')[0]) <= 20) t.match(fields.Description, /no longer gets security fixes/, 'and says its Node gets no security fixes');
  } else t.notMatch(fields.Description, /EXPERIMENTAL|no longer/);
  t.equal(x.conffiles, '/etc/config/ddnsd\n', 'conffiles');
  t.same(
    x.controlList.map((e) => [e.mode, e.owner, e.name]),
    [
      ['drwxr-xr-x', '0/0', './'],
      ['-rw-r--r--', '0/0', './conffiles'],
      ['-rw-r--r--', '0/0', './control'],
      ['-rwxr-xr-x', '0/0', './postinst'],
      ['-rwxr-xr-x', '0/0', './prerm'],
    ],
  );
  t.same(x.scripts.postinst, readFileSync(join(REPO, 'openwrt/files/ddnsd.postinst')), 'postinst');
  t.same(x.scripts.prerm, readFileSync(join(REPO, 'openwrt/files/ddnsd.prerm')), 'prerm');
  const want = expectedDdnsd(join(stageDir, isa));
  t.same(
    x.data.map((e) => [e.mode, e.owner, e.name]),
    tarLines(want),
    'data tree: the staging tree plus openwrt/files, modes, owners 0:0, symlink',
  );
  if (time) t.ok([...x.outer, ...x.controlList, ...x.data].every((e) => e.time === time), 'every mtime is the fixed epoch');
  for (const n of want.filter((w) => w.type === 'file')) {
    if (!readFileSync(join(x.dataDir, n.path)).equals(n.data!)) t.fail(`${n.path} differs from its source`);
  }
  const exe = readFileSync(join(x.dataDir, 'usr/lib/ddnsd/ddnsd'));
  t.same([exe.readUInt16LE(18), exe[4]], ELF[isa], `the executable is an ELF file for ${isa}`);
  // /etc/config/ddnsd is inside (conffiles): the search does find what is there.
  t.same(pathsInIpk(file, [REPO, stageDir, '/etc/config/ddnsd']), ['/etc/config/ddnsd'], 'no path of the build machine inside');
}

function checkLuciIpk(t: Test, file: string, work: string) {
  const x = readIpk(file, work);
  t.same(x.control, [
    ['Package', 'luci-app-ddnsd'],
    ['Version', FULL],
    ['Depends', 'luci-base, ddnsd'],
    ['Source', 'luci-app'],
    ['License', 'MIT'],
    ['Section', 'luci'],
    ['Architecture', 'all'],
    ['Installed-Size', String(x.installed)],
    ['Description', 'LuCI pages for ddnsd: status of services and records, log, configuration.'],
  ]);
  t.equal(x.conffiles, undefined, 'no conffiles');
  t.same(x.controlList.map((e) => [e.mode, e.name]), [
    ['drwxr-xr-x', './'],
    ['-rw-r--r--', './control'],
    ['-rwxr-xr-x', './postinst'],
  ]);
  t.same(x.scripts.postinst, readFileSync(join(REPO, 'openwrt/files/luci-app-ddnsd.postinst')));
  const want = expectedLuci();
  t.same(x.data.map((e) => [e.mode, e.owner, e.name]), tarLines(want), 'exactly the LuCI files, 0644, root');
  for (const n of want.filter((w) => w.type === 'file')) t.same(readFileSync(join(x.dataDir, n.path)), n.data, n.path);
}

/** Check every ipk in `out/ipk`: one per arch string of each staged ISA plus the LuCI one. */
function checkAll(t: Test, out: string, stage: string, work: string, time?: string) {
  const isas = Object.keys(ARCHES).filter((isa) => existsSync(join(stage, `${isa}.json`)));
  const expected = isas
    .flatMap((isa) => ARCHES[isa])
    .map((a) => `ddnsd_${FULL}_${a}.ipk`)
    .concat(`luci-app-ddnsd_${FULL}_all.ipk`)
    .sort();
  const names = readdirSync(join(out, 'ipk')).filter((n) => n.endsWith('.ipk'));
  t.same(names.filter((n) => n.includes(FULL)).sort(), expected, 'one ddnsd ipk per arch string, <Package>_<Version>_<Arch>.ipk');
  for (const bad of REFUSED) t.notOk(names.some((n) => n.endsWith(`_${bad}.ipk`)), `no package for ${bad}`);
  for (const isa of isas) {
    for (const arch of ARCHES[isa]) t.test(arch, async (t) => checkDdnsdIpk(t, join(out, 'ipk', `ddnsd_${FULL}_${arch}.ipk`), arch, stage, join(work, arch), time));
  }
  t.test('luci-app-ddnsd', async (t) => checkLuciIpk(t, join(out, 'ipk', `luci-app-ddnsd_${FULL}_all.ipk`), join(work, 'luci')));
}

t.test('synthetic staging trees: every ipk is what it must be', async (t) => {
  const dir = t.testdir();
  const stage = stageAll(dir);
  const r = pack(stage, join(dir, 'out'));
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '');
  checkAll(t, join(dir, 'out'), stage, join(dir, 'x'), TIME);
});

t.test('two runs give byte-identical files; another epoch gives other bytes', async (t) => {
  const dir = t.testdir();
  const stage = stageAll(dir);
  for (const n of ['a', 'b']) t.equal(pack(stage, join(dir, n)).code, 0);
  t.equal(pack(stage, join(dir, 'c'), EPOCH + 1).code, 0);
  const names = readdirSync(join(dir, 'a', 'ipk')).sort();
  t.equal(names.length, 10);
  for (const name of names) {
    const a = readFileSync(join(dir, 'a', 'ipk', name));
    t.equal(sha(readFileSync(join(dir, 'b', 'ipk', name))), sha(a), `${name} identical`);
    t.not(sha(readFileSync(join(dir, 'c', 'ipk', name))), sha(a), `${name} depends on the epoch`);
  }
});

t.test('pack.cjs (make packages) writes the same ipks as ipk.cjs', async (t) => {
  const dir = t.testdir();
  const stage = stageAll(dir);
  t.equal(pack(stage, join(dir, 'a')).code, 0);
  const r = pack(stage, join(dir, 'b'), EPOCH, join(REPO, 'openwrt/tools/pack.cjs'));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /ipk\+apk: done in [0-9.]+ s/, 'says how long it took');
  for (const name of readdirSync(join(dir, 'a', 'ipk'))) t.ok(readFileSync(join(dir, 'a', 'ipk', name)).equals(readFileSync(join(dir, 'b', 'ipk', name))), name);
});

t.test('an ISA without a staging tree gets no package, and says so', async (t) => {
  const dir = t.testdir();
  makeStage(join(dir, 'stage'), 'aarch64');
  const r = pack(join(dir, 'stage'), join(dir, 'out'));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /no x86_64 staging tree/);
  t.match(r.stdout, /no armv7 staging tree/);
  t.same(readdirSync(join(dir, 'out', 'ipk')).length, 5, 'four aarch64 arches and LuCI');
});

t.test('clear errors for bad staging trees', async (t) => {
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) };
  const attempt = (prep: (stage: string) => void) => {
    const dir = t.testdir();
    const stage = join(dir, 'stage');
    makeStage(stage, 'aarch64');
    prep(stage);
    return run(process.execPath, [PACKER, '--version', VERSION, '--stage', stage, '--out', join(dir, 'out')], { env });
  };
  const cases: [string, (s: string) => void, RegExp][] = [
    ['wrong machine', (s) => writeFileSync(join(s, 'aarch64/usr/lib/ddnsd/ddnsd'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(11), Buffer.from([62, 0])])), /is an ELF file for machine 62 \(class 2\), not aarch64/],
    ['not ELF', (s) => writeFileSync(join(s, 'aarch64/usr/lib/ddnsd/ddnsd'), '#!/bin/sh\n'), /ddnsd is not an ELF executable/],
    ['manifest isa', (s) => writeFileSync(join(s, 'aarch64.json'), JSON.stringify({ isa: 'x86_64', node_version: '22.1.0', experimental: false, debian: [] })), /aarch64\.json: "isa" is "x86_64", expected "aarch64"/],
    ['manifest broken', (s) => writeFileSync(join(s, 'aarch64.json'), '{'), /aarch64\.json: not readable JSON/],
    ['unknown licence', (s) => writeFileSync(join(s, 'aarch64.json'), JSON.stringify({ isa: 'aarch64', node_version: '22.1.0', experimental: false, debian: [{ package: 'x', source: 'openssl', version: '1', sha256: 'c'.repeat(64) }] })), /no licence known for Debian source package "openssl"/],
    ['build path', (s) => writeFileSync(join(s, 'aarch64/usr/lib/ddnsd/libc.so.6'), `built in ${REPO}/dist\n`), /contains the build machine's path/],
    [
      'clash with openwrt/files',
      (s) => {
        mkdirSync(join(s, 'aarch64/usr/share/ddnsd'));
        writeFileSync(join(s, 'aarch64/usr/share/ddnsd/ddnsd.config'), 'x');
      },
      /\/usr\/share\/ddnsd\/ddnsd\.config added twice/,
    ],
  ];
  for (const [name, prep, re] of cases) {
    const r = attempt(prep);
    t.equal(r.code, 1, name);
    t.match(r.stderr, re, name);
    t.notMatch(r.stderr, /at .*\.cjs:\d+/, `${name}: no stack trace`);
  }
  const r = run(process.execPath, [PACKER, '--stage', 'x'], { env: { ...process.env, SOURCE_DATE_EPOCH: 'yesterday' } });
  t.match(r.stderr, /--version is required/);
  const r2 = run(process.execPath, [PACKER, '--version', VERSION, '--stage', 'x', '--out', t.testdir()], { env: { ...process.env, SOURCE_DATE_EPOCH: 'yesterday' } });
  t.match(r2.stderr, /SOURCE_DATE_EPOCH must be a number of seconds, got "yesterday"/);
});

const DIST = join(REPO, 'dist');
// Reading ~10 packages of 40 MB each takes minutes on a busy machine.
if (existsSync(join(DIST, 'stage'))) t.setTimeout(900_000);
const built = existsSync(join(DIST, 'ipk')) && existsSync(join(DIST, 'stage'));
t.test('the ipks `make` built in dist/', async (t) => {
  if (!built) return missingReal(t, 'make has not built dist/ipk and dist/stage (make packages; make test builds them)');
  checkAll(t, DIST, join(DIST, 'stage'), t.testdir());
});
