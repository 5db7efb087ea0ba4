// What the router packages must hold, worked out by the tests on their own (from the staging
// tree on disk and openwrt/files, never through the packer's code), and readers for both
// formats: system tar/gzip for .ipk, test/support/adb.ts for .apk. Used on small synthetic
// staging trees and on the packages `make` built in dist/.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApkPackage, readApk } from '../adb';
import { REPO, TarEntry, fakeElf, listTar, ok } from './helpers';

/** The OpenWrt arch strings each ISA serves (issue 9: armv7 only where NEON and VFPv3-D32 are guaranteed). */
export const ARCHES: Record<string, string[]> = {
  x86_64: ['x86_64'],
  aarch64: ['aarch64_cortex-a53', 'aarch64_cortex-a72', 'aarch64_cortex-a76', 'aarch64_generic'],
  armv7: ['arm_cortex-a7_neon-vfpv4', 'arm_cortex-a15_neon-vfpv4', 'arm_cortex-a9_neon', 'arm_cortex-a8_vfpv3'],
};
/** Arch strings that must never get a package: the CPU may lack what npm's armv7 Node needs. */
export const REFUSED = ['arm_cortex-a7_vfpv4', 'arm_cortex-a9_vfpv3-d16', 'arm_cortex-a5_vfpv4', 'arm_cortex-a7', 'arm_cortex-a9'];
/** ELF e_machine and class per ISA. */
export const ELF: Record<string, [number, number]> = { x86_64: [62, 2], aarch64: [183, 2], armv7: [40, 1] };
export const isaOf = (arch: string) => Object.keys(ARCHES).find((isa) => ARCHES[isa].includes(arch));

/** openwrt/files installed by every ddnsd package: router path, mode, source. */
export const DDNSD_FILES: [string, number, string][] = [
  ['etc/config/ddnsd', 0o600, 'openwrt/files/ddnsd.config'],
  ['etc/hotplug.d/iface/95-ddnsd', 0o644, 'openwrt/files/ddnsd.hotplug'],
  ['etc/init.d/ddnsd', 0o755, 'openwrt/files/ddnsd.init'],
  ['etc/uci-defaults/95-ddnsd', 0o755, 'openwrt/files/ddnsd.uci-defaults'],
  ['usr/share/ddnsd/ddnsd.config', 0o644, 'openwrt/files/ddnsd.config'],
];
export const LUCI_FILES: [string, string][] = [
  ['usr/share/luci/menu.d/luci-app-ddnsd.json', 'luci-app/root/usr/share/luci/menu.d/luci-app-ddnsd.json'],
  ['usr/share/rpcd/acl.d/luci-app-ddnsd.json', 'luci-app/root/usr/share/rpcd/acl.d/luci-app-ddnsd.json'],
  ['www/luci-static/resources/view/ddnsd/config.js', 'luci-app/htdocs/luci-static/resources/view/ddnsd/config.js'],
  ['www/luci-static/resources/view/ddnsd/status.js', 'luci-app/htdocs/luci-static/resources/view/ddnsd/status.js'],
];

export interface Manifest {
  isa: string;
  node_version: string;
  experimental: boolean;
  debian: { package: string; source: string; version: string; sha256: string }[];
}

/** A small staging tree like the executable build's: fake ELF executable, "libraries", licence texts, the /usr/bin symlink. */
export function makeStage(stageDir: string, isa: string, manifest: Partial<Manifest> = {}) {
  const d = join(stageDir, isa);
  const [machine, cls] = ELF[isa];
  const exe = fakeElf(machine, isa);
  exe[4] = cls;
  mkdirSync(join(d, 'usr/lib/ddnsd'), { recursive: true });
  mkdirSync(join(d, 'usr/bin'), { recursive: true });
  mkdirSync(join(d, 'usr/share/doc/ddnsd'), { recursive: true });
  writeFileSync(join(d, 'usr/lib/ddnsd/ddnsd'), exe, { mode: 0o755 });
  writeFileSync(join(d, 'usr/lib/ddnsd/ld-linux.so.2'), `loader ${isa}\n`, { mode: 0o755 });
  writeFileSync(join(d, 'usr/lib/ddnsd/libc.so.6'), `libc ${isa}\n`, { mode: 0o644 });
  writeFileSync(join(d, 'usr/lib/ddnsd/libempty.so'), '', { mode: 0o644 });
  writeFileSync(join(d, 'usr/share/doc/ddnsd/glibc.copyright'), 'GNU Lesser General Public License\n', { mode: 0o644 });
  // A path longer than tar's 100-byte name field.
  const deep = 'usr/share/doc/ddnsd/' + 'long-directory-name-'.repeat(3) + '/' + 'a-licence-text-with-a-long-name-'.repeat(2) + '.txt';
  mkdirSync(join(d, deep, '..'), { recursive: true });
  writeFileSync(join(d, deep), 'GPL-3.0-or-later WITH GCC-exception-3.1\n', { mode: 0o644 });
  symlinkSync('/usr/lib/ddnsd/ddnsd', join(d, 'usr/bin/ddnsd'));
  const m: Manifest = {
    isa,
    node_version: isa === 'armv7' ? '20.11.0' : '22.23.5',
    experimental: isa === 'armv7',
    debian: [
      { package: 'libc6', source: 'glibc', version: '2.36-9+deb12u13', sha256: 'a'.repeat(64) },
      { package: 'libstdc++6', source: 'gcc-12', version: '12.2.0-14+deb12u1', sha256: 'b'.repeat(64) },
    ],
    ...manifest,
  };
  writeFileSync(join(stageDir, `${isa}.json`), JSON.stringify(m));
  return m;
}

export interface Node {
  path: string; // no leading slash; directories end in "/"
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  target?: string;
  data?: Buffer;
}

function walk(dir: string, rel: string, out: Node[]) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out.push({ path: r, type: 'symlink', mode: 0o777, target: readlinkSync(p) });
    else if (st.isDirectory()) {
      out.push({ path: r + '/', type: 'dir', mode: st.mode & 0o7777 });
      walk(p, r, out);
    } else out.push({ path: r, type: 'file', mode: st.mode & 0o7777, data: readFileSync(p) });
  }
}

/** Add implied parent directories (0755) and sort in byte order. */
function complete(nodes: Node[]): Node[] {
  const have = new Set(nodes.map((n) => n.path));
  for (const n of [...nodes]) {
    const parts = n.path.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/') + '/';
      if (!have.has(d)) {
        have.add(d);
        nodes.push({ path: d, type: 'dir', mode: 0o755 });
      }
    }
  }
  return nodes.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

const expectedCache = new Map<string, Node[]>();

/** The data tree of the ddnsd package made from staging tree `stageIsaDir` (read once per directory). */
export function expectedDdnsd(stageIsaDir: string): Node[] {
  const cached = expectedCache.get(stageIsaDir);
  if (cached) return cached;
  const nodes: Node[] = [];
  walk(stageIsaDir, '', nodes);
  for (const [p, mode, src] of DDNSD_FILES) nodes.push({ path: p, type: 'file', mode, data: readFileSync(join(REPO, src)) });
  expectedCache.set(stageIsaDir, complete(nodes));
  return expectedCache.get(stageIsaDir)!;
}

export function expectedLuci(): Node[] {
  return complete(LUCI_FILES.map(([p, src]) => ({ path: p, type: 'file', mode: 0o644, data: readFileSync(join(REPO, src)) })));
}

/** The extra files OpenWrt's apk packages carry: <name>.list, .conffiles, .conffiles_static. */
export function apkMetadata(name: string, nodes: Node[], conffiles: string[]): Node[] {
  const files = nodes.filter((n) => n.type !== 'dir').map((n) => '/' + n.path);
  const out: Node[] = [{ path: `lib/apk/packages/${name}.list`, type: 'file', mode: 0o644, data: Buffer.from(files.join('\n') + '\n') }];
  if (conffiles.length) {
    out.push({ path: `lib/apk/packages/${name}.conffiles`, type: 'file', mode: 0o644, data: Buffer.from(conffiles.join('\n') + '\n') });
    const sums = conffiles.map((c) => `${c} ${createHash('sha256').update(nodes.find((n) => '/' + n.path === c)!.data!).digest('hex')}`);
    out.push({ path: `lib/apk/packages/${name}.conffiles_static`, type: 'file', mode: 0o644, data: Buffer.from(sums.join('\n') + '\n') });
  }
  return complete([...nodes, ...out]);
}

const MODE_CHARS = (type: Node['type'], mode: number) =>
  (type === 'dir' ? 'd' : type === 'symlink' ? 'l' : '-') +
  [6, 3, 0].map((s) => ((mode >> s) & 4 ? 'r' : '-') + ((mode >> s) & 2 ? 'w' : '-') + ((mode >> s) & 1 ? 'x' : '-')).join('');

/** `tar -tv` lines the data.tar.gz must list: [mode, owner, name]. */
export function tarLines(nodes: Node[]): [string, string, string][] {
  return [['drwxr-xr-x', '0/0', './'], ...nodes.map((n): [string, string, string] => [MODE_CHARS(n.type, n.mode), '0/0', `./${n.path}${n.type === 'symlink' ? ` -> ${n.target}` : ''}`])];
}

/** The lines test/support/adb.ts's listing() gives for the same tree. */
export function adbLines(nodes: Node[]): string[] {
  return nodes.map((n) => `${n.type === 'dir' ? 'd' : n.type === 'symlink' ? 'l' : '-'}${n.mode.toString(8).padStart(4, '0')} root:root ${n.path}${n.type === 'symlink' ? ` -> ${n.target}` : ''}`);
}

export function controlFields(text: string): [string, string][] {
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

export interface Ipk {
  magic: Buffer;
  outer: TarEntry[];
  control: [string, string][];
  controlList: TarEntry[];
  conffiles?: string;
  scripts: Record<string, Buffer>;
  data: TarEntry[];
  dataDir: string;
  installed: number;
}

/** Unpack an ipk with the system's tar and gzip into `dir`. */
export function readIpk(ipk: string, dir: string): Ipk {
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'control'), { recursive: true });
  ok('gzip', ['-t', ipk]);
  const outer = listTar(ipk);
  ok('tar', ['-xzf', ipk, '-C', dir]);
  ok('tar', ['-xzf', join(dir, 'data.tar.gz'), '-C', join(dir, 'data')]);
  ok('tar', ['-xzf', join(dir, 'control.tar.gz'), '-C', join(dir, 'control')]);
  const scripts: Record<string, Buffer> = {};
  for (const s of ['preinst', 'postinst', 'prerm', 'postrm']) {
    try {
      scripts[s] = readFileSync(join(dir, 'control', s));
    } catch {
      /* absent */
    }
  }
  let conffiles: string | undefined;
  try {
    conffiles = readFileSync(join(dir, 'control', 'conffiles'), 'utf8');
  } catch {
    conffiles = undefined;
  }
  return {
    magic: readFileSync(ipk).subarray(0, 2),
    outer,
    control: controlFields(readFileSync(join(dir, 'control', 'control'), 'utf8')),
    controlList: listTar(join(dir, 'control.tar.gz')),
    conffiles,
    scripts,
    data: listTar(join(dir, 'data.tar.gz')),
    dataDir: join(dir, 'data'),
    installed: Number(ok('sh', ['-c', 'gzip -dc "$1" | wc -c', 'sh', join(dir, 'data.tar.gz')]).trim()),
  };
}

export function loadApk(file: string): ApkPackage {
  return readApk(readFileSync(file), file);
}

/** The needles that occur in the decompressed contents of an ipk (the grep -a check, with the system's gzip, tar and grep). */
export function pathsInIpk(file: string, needles: string[]): string[] {
  const sh = 'f=$1; shift; gzip -dc "$f" | tar -xOf - ./data.tar.gz ./control.tar.gz | gzip -dc | grep -a -o -F "$@" | sort -u; true';
  return ok('sh', ['-c', sh, 'sh', file, ...needles.flatMap((n) => ['-e', n])]).split('\n').filter(Boolean);
}

/** The needles that occur in an apk's decompressed contents (read by test/support/adb.ts). */
export function pathsInApk(pkg: ApkPackage, needles: string[]): string[] {
  return needles.filter((n) => pkg.raw.includes(Buffer.from(n)));
}
