'use strict';
// Which OpenWrt package architectures each executable serves. opkg and apk match the
// Architecture field as an exact string, so one executable is packed once per arch string.
// The executables are pkg `linuxstatic` builds (fully static, no libc dependency).

const ISAS = [
  {
    isa: 'x86_64',
    elfMachine: 62, // EM_X86_64
    arches: ['x86_64'],
  },
  {
    isa: 'aarch64',
    elfMachine: 183, // EM_AARCH64
    arches: ['aarch64_cortex-a53', 'aarch64_cortex-a72', 'aarch64_cortex-a76', 'aarch64_generic'],
  },
  {
    // pkg's armv7 Node base is built for Cortex-A7 with VFPv3 and hard float. It needs all
    // 32 VFP double registers and the integer divide instructions of the A7/A15 family, so
    // Cortex-A9 and A8 arches (arm_cortex-a9_vfpv3-d16 on mvebu, arm_cortex-a9_neon,
    // arm_cortex-a8_vfpv3) are left out: the binary risks SIGILL there.
    isa: 'armv7',
    elfMachine: 40, // EM_ARM
    arches: ['arm_cortex-a7_neon-vfpv4', 'arm_cortex-a7_vfpv4', 'arm_cortex-a15_neon-vfpv4'],
  },
];

/** e_machine of an ELF file, or undefined when `buf` is not ELF. */
function elfMachine(buf) {
  if (buf.length < 20 || buf.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const little = buf[5] === 1;
  return little ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
}

/** Throw a clear error when `buf` is not an executable for `isa`. */
function checkExecutable(buf, isa, file) {
  const spec = ISAS.find((s) => s.isa === isa);
  if (!spec) throw new Error(`unknown ISA ${isa}`);
  const machine = elfMachine(buf);
  if (machine === undefined) throw new Error(`${file} is not an ELF executable`);
  if (machine !== spec.elfMachine) {
    throw new Error(`${file} is an ELF file for machine ${machine}, not ${isa} (machine ${spec.elfMachine})`);
  }
}

/**
 * The program interpreter (PT_INTERP) of a dynamically linked ELF file, e.g.
 * "/lib64/ld-linux-x86-64.so.2"; undefined for a static executable or a short file.
 */
function interpreter(buf) {
  if (elfMachine(buf) === undefined) return undefined;
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  if (buf.length < (is64 ? 64 : 52)) return undefined;
  const phoff = word(is64 ? 0x20 : 0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + phentsize > buf.length) return undefined;
    if (u32(ph) !== 3) continue; // PT_INTERP
    const off = word(ph + (is64 ? 0x08 : 0x04));
    const size = word(ph + (is64 ? 0x20 : 0x10));
    return buf.subarray(off, off + size).toString('latin1').replace(/\0+$/, '');
  }
  return undefined;
}

/** A warning when `buf` cannot run on OpenWrt's musl (a dynamically linked glibc build). */
function staticWarning(buf, file) {
  const interp = interpreter(buf);
  if (interp === undefined) return undefined;
  return `${file} is dynamically linked (${interp}): OpenWrt cannot run it; these packages only test the packaging. Router packages need the static executables of \`make release\`.`;
}

module.exports = { ISAS, elfMachine, checkExecutable, interpreter, staticWarning };
