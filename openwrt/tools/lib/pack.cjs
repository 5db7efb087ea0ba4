'use strict';
// The packers' main: for every ISA with a staging tree, the ddnsd package for each arch
// string the ISA serves, plus luci-app-ddnsd, in the formats asked for:
//   ipk: <out>/ipk/ddnsd_<version>_<arch>.ipk, <out>/ipk/luci-app-ddnsd_<version>_all.ipk
//   apk: <out>/apk/<arch>/ddnsd-<version>.apk, <out>/apk/noarch/luci-app-ddnsd-<version>.apk
// The slow step, compressing an ISA's ~100 MB data tree, happens once per ISA and format
// (both formats at once, on libuv's thread pool); per arch only the small control part or
// ADB block is made. Reproducible: mtimes are SOURCE_DATE_EPOCH, else the last commit's time.

const path = require('node:path');
const { buildIpk, dataPart, ipkName } = require('./ipk.cjs');
const apk = require('./apk.cjs');
const { ddnsdPackage, luciPackage, dependsList } = require('./packages.cjs');
const { epoch, options, stages, checkNoPath, writeOut, REPO } = require('./inputs.cjs');

/** The apk info of a package for `arch` (OpenWrt writes "noarch" for arch all). */
function apkInfo(pkg, arch) {
  const f = pkg.fields;
  return {
    name: f.Package,
    version: f.Version,
    arch: arch === 'all' ? 'noarch' : arch,
    description: f.Description.replace(/\n/g, ' '),
    license: f.License,
    origin: 'ddnsd',
    depends: dependsList(f.Depends),
    provides: f.Provides ? dependsList(f.Provides) : [],
  };
}

/** post-install / post-upgrade / pre-deinstall from the ipk's postinst and prerm, as OpenWrt's package-pack.mk derives them. */
function apkScripts(pkg) {
  const out = {};
  const post = pkg.scripts.postinst && pkg.scripts.postinst.toString('utf8');
  if (post) {
    out['post-install'] = Buffer.from(post);
    out['post-upgrade'] = Buffer.from(post.replace(/^(#!.*\n)?/, (shebang) => `${shebang || '#!/bin/sh\n'}export PKG_UPGRADE=1\n`));
  }
  if (pkg.scripts.prerm) out['pre-deinstall'] = pkg.scripts.prerm;
  return out;
}

/** Write the packages of `pkg` (one per arch in `arches`) in `formats`. */
async function packAll(pkg, arches, formats, out, mtime) {
  const work = {};
  if (formats.includes('ipk')) work.ipk = dataPart(pkg.tree, mtime);
  if (formats.includes('apk')) {
    const lay = apk.layout(apk.withApkMetadata(pkg), mtime);
    work.apk = apk.compressData(lay).then((data) => ({ lay, data }));
  }
  const [ipkData, apkData] = await Promise.all([work.ipk, work.apk]);
  const scripts = apkScripts(pkg);
  for (const arch of arches) {
    const p = { ...pkg, fields: { ...pkg.fields, Architecture: arch } };
    if (ipkData) writeOut(path.join(out, 'ipk', ipkName(p.fields)), buildIpk(p, mtime, ipkData).ipk, 'ipk');
    if (apkData) {
      const info = apkInfo(p, arch);
      const file = apk.assemble(apk.adbHead(info, apkData.lay, scripts), apkData.data);
      writeOut(path.join(out, 'apk', info.arch, apk.apkName(info)), file, 'apk');
    }
  }
}

/** The command line main of ipk.cjs, apk.cjs and pack.cjs. */
async function main(formats) {
  const started = process.hrtime.bigint();
  const opts = options();
  const version = `${opts.version}-r${opts.release}`;
  const mtime = epoch();
  const out = path.resolve(opts.out);
  const needles = [...new Set([REPO, path.resolve(opts.stage), out])];
  for (const stage of stages(opts.stage, formats.join('+'))) {
    const pkg = ddnsdPackage(version, stage, mtime);
    checkNoPath(pkg.tree, needles, `ddnsd (${stage.isa})`);
    await packAll(pkg, stage.arches, formats, out, mtime);
  }
  const luci = luciPackage(version);
  checkNoPath(luci.tree, needles, 'luci-app-ddnsd');
  await packAll(luci, ['all'], formats, out, mtime);
  console.log(`${formats.join('+')}: done in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

module.exports = { main, apkInfo, apkScripts };
