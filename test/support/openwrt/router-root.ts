// A throwaway root laid out like an OpenWrt router's, with no glibc anywhere: Debian's static
// BusyBox as /bin/sh and the applets, musl's loader at OpenWrt's path /lib/ld-musl-<arch>.so.1,
// an /etc like a router's (passwd, hosts, resolv.conf, TZ, openwrt_release, the CA bundle),
// /var -> /tmp. The package's data tree is unpacked into it from the real .ipk with the
// system's tar, and ddnsd runs inside it through chroot, in a private mount namespace that
// has /proc and /dev (glibc resolves the executable's $ORIGIN RPATH through /proc/self/exe, as on a
// router). aarch64 and armv7 run under qemu-user-static, called explicitly: the static qemu
// is copied into the root and started as the chrooted program (no binfmt registration).
// BusyBox is the build host's static x86_64 build in every root, so the children ddnsd starts
// (an ip_script) run natively; qemu-user passes their execve to the kernel.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './helpers';

export type Isa = 'x86_64' | 'aarch64' | 'armv7';

interface IsaRoot {
  /** The package arch string whose .ipk is installed. */
  arch: string;
  /** musl's loader name on OpenWrt (and Debian's musl package for that arch). */
  musl: string;
  /** qemu-user-static for a foreign ISA. */
  qemu?: string;
}

export const ISA_ROOTS: Record<Isa, IsaRoot> = {
  x86_64: { arch: 'x86_64', musl: 'ld-musl-x86_64.so.1' },
  aarch64: { arch: 'aarch64_generic', musl: 'ld-musl-aarch64.so.1', qemu: 'qemu-aarch64-static' },
  armv7: { arch: 'arm_cortex-a7_neon-vfpv4', musl: 'ld-musl-armhf.so.1', qemu: 'qemu-arm-static' },
};

export const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
export const ipkPath = (isa: Isa) => join(REPO, 'dist', 'ipk', `ddnsd_${VERSION}-r1_${ISA_ROOTS[isa].arch}.ipk`);

const BUSYBOX = '/bin/busybox';
const which = (prog: string) => spawnSync('sh', ['-c', `command -v ${prog}`], { encoding: 'utf8' }).stdout.trim();

/** What this machine lacks to build and enter a root for `isa` (undefined: nothing). */
export function missingTools(isa: Isa): string | undefined {
  if (process.getuid?.() !== 0) return 'chroot and mount namespaces need root';
  const need: string[] = [];
  // Debian's busybox-static: no program interpreter, so it runs in a root without any libc.
  const bb = existsSync(BUSYBOX) ? spawnSync('readelf', ['-l', realpathSync(BUSYBOX)], { encoding: 'utf8' }) : undefined;
  if (!bb || bb.status !== 0 || /interpreter/.test(bb.stdout)) need.push('busybox-static');
  if (!existsSync(`/lib/${ISA_ROOTS[isa].musl}`)) need.push(`musl for ${isa} (/lib/${ISA_ROOTS[isa].musl})`);
  const q = ISA_ROOTS[isa].qemu;
  if (q && !which(q)) need.push(`qemu-user-static (${q})`);
  for (const p of ['unshare', 'chroot', 'tar', 'gzip']) if (!which(p)) need.push(p);
  if (!existsSync(ipkPath(isa))) need.push(`${ipkPath(isa).slice(REPO.length + 1)} (make packages)`);
  return need.length ? `missing: ${need.join(', ')} (.ci/run installs the Debian packages; make test builds the packages)` : undefined;
}

export interface Root {
  dir: string;
  isa: Isa;
  /** Writes a file inside the root (path absolute in the root). */
  write(path: string, text: string, mode?: number): void;
  /** Runs /usr/bin/ddnsd inside the root with a router's bare environment. */
  ddnsd(args: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  remove(): void;
}

const APPLETS = ['sh', 'ash', 'echo', 'cat', 'ls', 'mkdir', 'rm', 'sleep', 'true', 'false', 'env', 'date', 'logger'];

/** Builds the root and installs the package's data tree; `caBundle` becomes /etc/ssl/certs/ca-certificates.crt. */
export function makeRoot(isa: Isa, caBundle: string): Root {
  const spec = ISA_ROOTS[isa];
  const dir = mkdtempSync(join(tmpdir(), `ddnsd-root-${isa}-`));
  const at = (p: string) => join(dir, p);
  for (const d of ['bin', 'sbin', 'lib', 'usr/bin', 'usr/sbin', 'usr/lib', 'etc/ssl/certs', 'etc/config', 'proc', 'tmp', 'dev', 'root']) mkdirSync(at(d), { recursive: true });
  symlinkSync('tmp', at('var'));
  copyFileSync(BUSYBOX, at('bin/busybox'));
  for (const a of APPLETS) symlinkSync('busybox', at(`bin/${a}`));
  // musl's libc.so is its own loader; OpenWrt installs it as /lib/ld-musl-<arch>.so.1.
  copyFileSync(realpathSync(`/lib/${spec.musl}`), at(`lib/${spec.musl}`));
  symlinkSync(spec.musl, at('lib/libc.so'));
  const etc: Record<string, string> = {
    'etc/passwd': 'root:x:0:0:root:/root:/bin/ash\nnobody:*:65534:65534:nobody:/var:/bin/false\n',
    'etc/group': 'root:x:0:\nnogroup:x:65534:\n',
    'etc/hosts': '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n',
    'etc/resolv.conf': 'nameserver 127.0.0.1\n',
    'etc/TZ': 'CET-1CEST,M3.5.0,M10.5.0/3\n',
    'etc/openwrt_release': "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='24.10.0'\nDISTRIB_TARGET='test/rootfs'\n",
    'etc/ssl/certs/ca-certificates.crt': caBundle,
  };
  for (const [p, text] of Object.entries(etc)) writeFileSync(at(p), text);
  // The package's data tree, from the real .ipk, read with the system's tar (never the packer's code).
  const untar = spawnSync('sh', ['-c', 'tar -xzOf "$1" ./data.tar.gz | tar -xzf - -C "$2"', 'untar', ipkPath(isa), dir], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`unpacking ${ipkPath(isa)}: ${untar.stderr}`);
  if (spec.qemu) copyFileSync(which(spec.qemu), at(`usr/bin/${spec.qemu}`));
  return {
    dir,
    isa,
    write(path, text, mode = 0o644) {
      writeFileSync(join(dir, path), text, { mode });
    },
    ddnsd(args, timeoutMs = 300_000) {
      const prog = spec.qemu ? [`/usr/bin/${spec.qemu}`, '/usr/bin/ddnsd'] : ['/usr/bin/ddnsd'];
      // A private mount namespace with /proc and /dev for the root, as a router has them; the
      // root's own environment only.
      const script = 'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && root="$1" && shift && exec chroot "$root" "$@"';
      return new Promise((resolve, reject) => {
        const c = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'enter', dir, ...prog, ...args], {
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: timeoutMs,
        });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.once('error', reject);
        c.once('close', (code) => resolve({ code, stdout, stderr }));
      });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** No glibc in the root outside /usr/lib/ddnsd: no libc.so.6 or ld-linux* anywhere else. */
export function glibcOutsidePrivateDir(root: Root): string[] {
  const r = spawnSync('find', [root.dir, '(', '-name', 'libc.so.6', '-o', '-name', 'ld-linux*', ')', '-not', '-path', join(root.dir, 'usr/lib/ddnsd/*')], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}
