// The packer's output, read back with the system's tar and gzip: container layout, every
// control field, conffiles, maintainer scripts, modes, owners, mtimes, the data trees, one
// package per arch string, and byte-identical rebuilds.
import t, { Test } from 'tap';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKER, REPO, fakeElf, listTar, ok, run } from '../support/openwrt/helpers';
import { missingReal } from '../support/real';

const EPOCH = 1700000000; // 2023-11-14 22:13:20 UTC
const TIME = '2023-11-14 22:13:20';
const VERSION = '0.1.0';
const FULL = `${VERSION}-r1`;

const ARCHES: Record<string, string[]> = {
  x86_64: ['x86_64'],
  aarch64: ['aarch64_cortex-a53', 'aarch64_cortex-a72', 'aarch64_cortex-a76', 'aarch64_generic'],
  armv7: ['arm_cortex-a7_neon-vfpv4', 'arm_cortex-a7_vfpv4', 'arm_cortex-a15_neon-vfpv4'],
};
const MACHINE: Record<string, number> = { x86_64: 62, aarch64: 183, armv7: 40 };

const DDNSD_TREE = [
  ['drwxr-xr-x', './'],
  ['drwxr-xr-x', './etc/'],
  ['drwxr-xr-x', './etc/config/'],
  ['-rw-------', './etc/config/ddnsd'],
  ['drwxr-xr-x', './etc/hotplug.d/'],
  ['drwxr-xr-x', './etc/hotplug.d/iface/'],
  ['-rw-r--r--', './etc/hotplug.d/iface/95-ddnsd'],
  ['drwxr-xr-x', './etc/init.d/'],
  ['-rwxr-xr-x', './etc/init.d/ddnsd'],
  ['drwxr-xr-x', './etc/uci-defaults/'],
  ['-rwxr-xr-x', './etc/uci-defaults/95-ddnsd'],
  ['drwxr-xr-x', './usr/'],
  ['drwxr-xr-x', './usr/bin/'],
  ['-rwxr-xr-x', './usr/bin/ddnsd'],
  ['drwxr-xr-x', './usr/share/'],
  ['drwxr-xr-x', './usr/share/ddnsd/'],
  ['-rw-r--r--', './usr/share/ddnsd/ddnsd.config'],
];
// Where each packaged file comes from in the repo.
const DDNSD_SOURCES: Record<string, string> = {
  './etc/config/ddnsd': 'openwrt/files/ddnsd.config',
  './etc/hotplug.d/iface/95-ddnsd': 'openwrt/files/ddnsd.hotplug',
  './etc/init.d/ddnsd': 'openwrt/files/ddnsd.init',
  './etc/uci-defaults/95-ddnsd': 'openwrt/files/ddnsd.uci-defaults',
  './usr/share/ddnsd/ddnsd.config': 'openwrt/files/ddnsd.config',
};
const LUCI_FILES: Record<string, string> = {
  './usr/share/luci/menu.d/luci-app-ddnsd.json': 'luci-app/root/usr/share/luci/menu.d/luci-app-ddnsd.json',
  './usr/share/rpcd/acl.d/luci-app-ddnsd.json': 'luci-app/root/usr/share/rpcd/acl.d/luci-app-ddnsd.json',
  './www/luci-static/resources/view/ddnsd/config.js': 'luci-app/htdocs/luci-static/resources/view/ddnsd/config.js',
  './www/luci-static/resources/view/ddnsd/status.js': 'luci-app/htdocs/luci-static/resources/view/ddnsd/status.js',
};

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Release executables for every ISA (fake ELF files) and a packer run into `out`. */
function pack(dir: string, out: string, epoch = EPOCH, hostExe?: string) {
  const rel = join(dir, 'release');
  mkdirSync(rel, { recursive: true });
  for (const isa of Object.keys(ARCHES)) writeFileSync(join(rel, `ddnsd-${isa}`), fakeElf(MACHINE[isa], isa), { mode: 0o755 });
  const args = [PACKER, '--version', VERSION, '--out', out, '--release-dir', rel];
  if (hostExe) args.push('--exe', hostExe);
  return run(process.execPath, args, { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } });
}

/** Unpack an ipk with tar/gzip into `dir`; returns the outer listing. */
function unpack(ipk: string, dir: string) {
  mkdirSync(dir, { recursive: true });
  const magic = readFileSync(ipk).subarray(0, 2);
  const outer = listTar(ipk);
  ok('tar', ['-xzf', ipk, '-C', dir]);
  for (const inner of ['data', 'control']) {
    mkdirSync(join(dir, inner), { recursive: true });
    ok('tar', ['-xzf', join(dir, `${inner}.tar.gz`), '-C', join(dir, inner)]);
  }
  return { magic, outer };
}

function controlFields(text: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith(' ')) fields[fields.length - 1][1] += '\n' + line.slice(1);
    else {
      const i = line.indexOf(': ');
      fields.push([line.slice(0, i), line.slice(i + 2)]);
    }
  }
  return fields;
}

function checkContainer(t: Test, ipk: string, dir: string) {
  const { magic, outer } = unpack(ipk, dir);
  t.same([...magic], [0x1f, 0x8b], 'outer file is gzip (not an ar archive)');
  t.same(
    outer.map((e) => [e.mode, e.owner, e.time, e.name]),
    [
      ['-rw-r--r--', '0/0', TIME, './debian-binary'],
      ['-rw-r--r--', '0/0', TIME, './data.tar.gz'],
      ['-rw-r--r--', '0/0', TIME, './control.tar.gz'],
    ],
    'three members, root-owned, fixed mtime',
  );
  t.equal(readFileSync(join(dir, 'debian-binary'), 'utf8'), '2.0\n');
  const installed = Number(ok('sh', ['-c', 'gzip -dc "$1" | wc -c', 'sh', join(dir, 'data.tar.gz')]).trim());
  return { installed, data: listTar(join(dir, 'data.tar.gz')), control: listTar(join(dir, 'control.tar.gz')) };
}

t.test('packs one ddnsd ipk per arch string and the LuCI ipk, all well-formed', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const r = pack(dir, out);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '', 'static executables: no warning');
  const expected = Object.values(ARCHES)
    .flat()
    .map((a) => `ddnsd_${FULL}_${a}.ipk`)
    .concat(`luci-app-ddnsd_${FULL}_all.ipk`)
    .sort();
  t.same(readdirSync(out).sort(), expected, 'file names <Package>_<Version>_<Arch>.ipk');

  for (const [isa, arches] of Object.entries(ARCHES)) {
    for (const arch of arches) {
      t.test(arch, async (t) => {
        const x = join(dir, 'x', arch);
        const { installed, data, control } = checkContainer(t, join(out, `ddnsd_${FULL}_${arch}.ipk`), x);
        t.same(
          controlFields(readFileSync(join(x, 'control', 'control'), 'utf8')),
          [
            ['Package', 'ddnsd'],
            ['Version', FULL],
            ['Depends', 'ubus, jshn'],
            ['Source', 'openwrt'],
            ['License', 'MIT'],
            ['Section', 'net'],
            ['Architecture', arch],
            ['Installed-Size', String(installed)],
            [
              'Description',
              'Event-driven Dynamic DNS client: updates DNS records on WAN events (hotplug, netifd),\n' +
                'many providers, verification, status over ubus for LuCI.',
            ],
          ],
          'every control field, in order',
        );
        t.equal(readFileSync(join(x, 'control', 'conffiles'), 'utf8'), '/etc/config/ddnsd\n');
        t.same(
          control.map((e) => [e.mode, e.owner, e.time, e.name]),
          [
            ['drwxr-xr-x', '0/0', TIME, './'],
            ['-rw-r--r--', '0/0', TIME, './conffiles'],
            ['-rw-r--r--', '0/0', TIME, './control'],
            ['-rwxr-xr-x', '0/0', TIME, './postinst'],
            ['-rwxr-xr-x', '0/0', TIME, './prerm'],
          ],
        );
        t.same(readFileSync(join(x, 'control', 'postinst')), readFileSync(join(REPO, 'openwrt/files/ddnsd.postinst')));
        t.same(readFileSync(join(x, 'control', 'prerm')), readFileSync(join(REPO, 'openwrt/files/ddnsd.prerm')));
        t.same(data.map((e) => [e.mode, e.name]), DDNSD_TREE, 'data tree, sorted, with modes');
        t.ok(data.every((e) => e.owner === '0/0' && e.time === TIME), 'owners 0:0 and fixed mtimes');
        t.same(readFileSync(join(x, 'data/usr/bin/ddnsd')), fakeElf(MACHINE[isa], isa), `the ${isa} executable`);
        for (const [p, src] of Object.entries(DDNSD_SOURCES)) {
          t.same(readFileSync(join(x, 'data', p)), readFileSync(join(REPO, src)), `${p} is ${src}`);
        }
      });
    }
  }

  t.test('luci-app-ddnsd', async (t) => {
    const x = join(dir, 'x', 'luci');
    const { installed, data, control } = checkContainer(t, join(out, `luci-app-ddnsd_${FULL}_all.ipk`), x);
    t.same(controlFields(readFileSync(join(x, 'control', 'control'), 'utf8')), [
      ['Package', 'luci-app-ddnsd'],
      ['Version', FULL],
      ['Depends', 'luci-base, ddnsd'],
      ['Source', 'luci-app'],
      ['License', 'MIT'],
      ['Section', 'luci'],
      ['Architecture', 'all'],
      ['Installed-Size', String(installed)],
      ['Description', 'LuCI pages for ddnsd: status of services and records, log, configuration.'],
    ]);
    t.same(control.map((e) => [e.mode, e.name]), [
      ['drwxr-xr-x', './'],
      ['-rw-r--r--', './control'],
      ['-rwxr-xr-x', './postinst'],
    ]);
    const files = data.filter((e) => !e.name.endsWith('/'));
    t.same(files.map((e) => e.name), Object.keys(LUCI_FILES), 'exactly the LuCI files');
    t.ok(files.every((e) => e.mode === '-rw-r--r--' && e.owner === '0/0' && e.time === TIME));
    for (const [p, src] of Object.entries(LUCI_FILES)) t.same(readFileSync(join(x, 'data', p)), readFileSync(join(REPO, src)), p);
  });
});

t.test('two runs give byte-identical files; another epoch gives other bytes', async (t) => {
  const dir = t.testdir();
  for (const n of ['a', 'b']) t.equal(pack(join(dir, n), join(dir, n, 'out')).code, 0);
  t.equal(pack(join(dir, 'c'), join(dir, 'c', 'out'), EPOCH + 1).code, 0);
  const names = readdirSync(join(dir, 'a', 'out')).sort();
  t.equal(names.length, 9);
  for (const name of names) {
    const a = readFileSync(join(dir, 'a', 'out', name));
    t.equal(sha(readFileSync(join(dir, 'b', 'out', name))), sha(a), `${name} identical`);
    t.not(sha(readFileSync(join(dir, 'c', 'out', name))), sha(a), `${name} depends on the epoch`);
  }
});

const HOST_EXE = join(REPO, 'dist', 'ddnsd');
t.test('the real host executable: packed intact, twice identical', async (t) => {
  if (!existsSync(HOST_EXE)) return missingReal(t, 'dist/ddnsd is not built (make dist/ddnsd; make test builds it)');
  const dir = t.testdir();
  // A private copy: other builds may replace dist/ddnsd while this test runs.
  const exe = join(dir, 'ddnsd');
  copyFileSync(HOST_EXE, exe);
  const outs = ['a', 'b'].map((n) => join(dir, n));
  for (const o of outs) {
    const r = run(process.execPath, [PACKER, '--version', VERSION, '--exe', exe, '--out', o, '--release-dir', join(dir, 'none')], {
      env: { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) },
    });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /no aarch64 executable/, 'says which arches need `make release`');
    t.match(r.stderr, /ddnsd is dynamically linked \(\/lib64\/ld-linux-x86-64\.so\.2\): OpenWrt cannot run it/, 'warns: a glibc build');
  }
  const name = `ddnsd_${FULL}_x86_64.ipk`;
  t.equal(sha(readFileSync(join(outs[1], name))), sha(readFileSync(join(outs[0], name))), 'identical bytes');
  const x = join(dir, 'x');
  checkContainer(t, join(outs[0], name), x);
  t.equal(sha(readFileSync(join(x, 'data/usr/bin/ddnsd'))), sha(readFileSync(exe)), '/usr/bin/ddnsd is dist/ddnsd');
  const v = run(join(x, 'data/usr/bin/ddnsd'), ['--version']);
  t.equal(v.stdout.trim(), VERSION, 'the unpacked executable runs');
});

t.test('clear errors for bad inputs', async (t) => {
  const dir = t.testdir({ 'notelf': 'hello\n' });
  chmodSync(join(dir, 'notelf'), 0o755);
  const base = [PACKER, '--out', join(dir, 'out'), '--release-dir', join(dir, 'rel')];
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) };

  let r = run(process.execPath, [...base, '--version', VERSION, '--exe', join(dir, 'notelf')], { env });
  t.equal(r.code, 1);
  t.match(r.stderr, /^ipk: .*notelf is not an ELF executable\n$/);

  mkdirSync(join(dir, 'rel'));
  writeFileSync(join(dir, 'rel', 'ddnsd-aarch64'), fakeElf(62, 'wrong'));
  r = run(process.execPath, [...base, '--version', VERSION], { env });
  t.equal(r.code, 1);
  t.match(r.stderr, /ddnsd-aarch64 is an ELF file for machine 62, not aarch64/);

  r = run(process.execPath, [...base.slice(0, 1), '--exe', join(dir, 'notelf')], { env });
  t.equal(r.code, 1);
  t.match(r.stderr, /--version is required/);

  r = run(process.execPath, [...base, '--version', VERSION], { env: { ...process.env, SOURCE_DATE_EPOCH: 'yesterday' } });
  t.equal(r.code, 1);
  t.match(r.stderr, /SOURCE_DATE_EPOCH must be a number of seconds, got "yesterday"/);
  t.notMatch(r.stderr, /at .*\.cjs:\d+/, 'no stack trace');
});
