'use strict';
// Which OpenWrt package architectures each ISA's router executable serves. opkg and apk match
// the architecture as an exact string, so one executable is packed once per arch string.
// The executables are npm's official glibc builds of Node, carried with their own glibc
// loader and libraries (dist/stage/<isa>/usr/lib/ddnsd/), so the router's libc does not
// matter; the CPU does.

const ISAS = [
  {
    isa: 'x86_64',
    elfMachine: 62, // EM_X86_64
    elfClass: 2,
    // OpenWrt's x86/64 target is the only x86_64 package arch.
    arches: ['x86_64'],
  },
  {
    isa: 'aarch64',
    elfMachine: 183, // EM_AARCH64
    elfClass: 2,
    // Every aarch64 package arch OpenWrt builds: cortex-a53 (mediatek/filogic, mt7622,
    // qualcommax, sunxi/cortexa53, bcm27xx/bcm2710, imx/cortexa53), cortex-a72
    // (bcm27xx/bcm2711, mvebu/cortexa72), cortex-a76 (bcm27xx/bcm2712), generic
    // (armsr/armv8, rockchip/armv8, layerscape/armv8_64b). All are ARMv8-A, which npm's
    // arm64 Node targets.
    arches: ['aarch64_cortex-a53', 'aarch64_cortex-a72', 'aarch64_cortex-a76', 'aarch64_generic'],
  },
  {
    // npm's armv7l Node uses VFPv3 with all 32 double registers and NEON (`readelf -A`:
    // Tag_FP_arch VFPv3, Tag_Advanced_SIMD_arch NEONv1); it dies with SIGILL on a D16 core.
    // These arch strings guarantee both; arm_cortex-a7_vfpv4, arm_cortex-a9_vfpv3-d16
    // (mvebu) and arm_cortex-a5_vfpv4 (at91) do not, nor do the plain arm_cortex-a7 and
    // arm_cortex-a9 ones (no FPU promised).
    isa: 'armv7',
    elfMachine: 40, // EM_ARM
    elfClass: 1,
    arches: ['arm_cortex-a7_neon-vfpv4', 'arm_cortex-a15_neon-vfpv4', 'arm_cortex-a9_neon', 'arm_cortex-a8_vfpv3'],
  },
];

/** The ISA spec of `isa`, or a clear error. */
function isaSpec(isa) {
  const spec = ISAS.find((s) => s.isa === isa);
  if (!spec) throw new Error(`unknown ISA "${isa}" (known: ${ISAS.map((s) => s.isa).join(', ')})`);
  return spec;
}

/** e_machine of an ELF file, or undefined when `buf` is not ELF. */
function elfMachine(buf) {
  if (buf.length < 20 || buf.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const little = buf[5] === 1;
  return little ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
}

/** Throw a clear error when `buf` is not an ELF executable for `isa`. */
function checkExecutable(buf, isa, file) {
  const spec = isaSpec(isa);
  const machine = elfMachine(buf);
  if (machine === undefined) throw new Error(`${file} is not an ELF executable`);
  if (machine !== spec.elfMachine || buf[4] !== spec.elfClass) {
    throw new Error(`${file} is an ELF file for machine ${machine} (class ${buf[4]}), not ${isa} (machine ${spec.elfMachine}, class ${spec.elfClass})`);
  }
}

module.exports = { ISAS, isaSpec, elfMachine, checkExecutable };
