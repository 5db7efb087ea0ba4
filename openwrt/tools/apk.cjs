#!/usr/bin/env node
// Writes apk-tools v3 packages (OpenWrt 25.12 and later) with `apk mkpkg`:
//   <out>/apk/<arch>/ddnsd-<version>-r<release>.apk for every arch an executable serves
//   <out>/apk/noarch/luci-app-ddnsd-<version>-r<release>.apk
// The files, modes and maintainer scripts are the ipk's (lib/packages.cjs), plus the
// metadata OpenWrt's apk packages carry in /lib/apk/packages/. Needs an apk-tools 3.x binary
// (--apk, $APK or `apk` on PATH): Debian 12 packages none; build it from apk-tools' sources.
// Owners come from the staging files, so run as root (or under fakeroot) for root:root.
//   node apk.cjs --version V --exe dist/ddnsd --out dist [--release 1] [--release-dir DIR] [--apk PATH]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { ddnsdPackage, luciPackage } = require('./lib/packages.cjs');
const { epoch, executables, options, runMain } = require('./lib/inputs.cjs');

/** The apk binary, checked to be apk-tools 3.x. */
function apkTool(bin) {
  let v;
  try {
    v = execFileSync(bin, ['--version'], { encoding: 'utf8' });
  } catch {
    throw new Error(`no apk-tools binary "${bin}": .apk packages need apk-tools 3.x (give --apk PATH or APK=PATH)`);
  }
  if (!/^apk-tools 3\./.test(v)) throw new Error(`${bin} is "${v.trim()}", not apk-tools 3.x`);
  return bin;
}

/** Write `pkg.tree` into `root` with fixed mtimes, plus OpenWrt's /lib/apk/packages metadata. */
function stage(pkg, root, mtime) {
  const name = pkg.fields.Package;
  const meta = `/lib/apk/packages/${name}`;
  const files = pkg.tree.paths();
  pkg.tree.add(`${meta}.list`, 0o644, Buffer.from(files.join('\n') + '\n'));
  if (pkg.conffiles.length) {
    pkg.tree.add(`${meta}.conffiles`, 0o644, Buffer.from(pkg.conffiles.join('\n') + '\n'));
    const sums = pkg.conffiles.map((f) => `${f} ${crypto.createHash('sha256').update(pkg.tree.files.get(f.slice(1)).data).digest('hex')}`);
    pkg.tree.add(`${meta}.conffiles_static`, 0o644, Buffer.from(sums.join('\n') + '\n'));
  }
  const dirs = [];
  for (const e of pkg.tree.entries()) {
    const p = path.join(root, e.name);
    if (e.type === 'dir') {
      fs.mkdirSync(p, { recursive: true });
      dirs.push(p);
    } else fs.writeFileSync(p, e.data);
    fs.chmodSync(p, e.mode);
  }
  for (const p of [...pkg.tree.entries().filter((e) => e.type === 'file').map((e) => path.join(root, e.name)), ...dirs.reverse()]) {
    fs.utimesSync(p, mtime, mtime);
  }
}

/** apk mkpkg arguments for a package built from the ipk description. */
function mkpkgArgs(pkg, root, scripts, output) {
  const f = pkg.fields;
  const info = {
    name: f.Package,
    version: f.Version,
    arch: f.Architecture === 'all' ? 'noarch' : f.Architecture,
    description: f.Description.replace(/\n/g, ' '),
    license: f.License,
    origin: f.Package,
    depends: f.Depends.split(/,\s*/).join(' '),
  };
  const args = ['mkpkg', '--files', root, '--output', output];
  for (const [k, v] of Object.entries(info)) args.push('--info', `${k}:${v}`);
  for (const [type, file] of Object.entries(scripts)) args.push('--script', `${type}:${file}`);
  return args;
}

/** post-install / post-upgrade / pre-deinstall from the ipk's postinst and prerm. */
function writeScripts(pkg, dir) {
  const out = {};
  const put = (type, body) => {
    const file = path.join(dir, type);
    fs.writeFileSync(file, body, { mode: 0o755 });
    out[type] = file;
  };
  const post = pkg.scripts.postinst && pkg.scripts.postinst.toString('utf8');
  if (post) {
    put('post-install', post);
    put('post-upgrade', post.replace(/^#!\/bin\/sh\n/, '#!/bin/sh\nexport PKG_UPGRADE=1\n'));
  }
  if (pkg.scripts.prerm) put('pre-deinstall', pkg.scripts.prerm);
  return out;
}

function build(apk, pkg, outDir, mtime) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ddnsd-apk-'));
  try {
    const root = path.join(work, 'root');
    stage(pkg, root, mtime);
    const scripts = writeScripts(pkg, work);
    const arch = pkg.fields.Architecture === 'all' ? 'noarch' : pkg.fields.Architecture;
    const dir = path.join(outDir, 'apk', arch);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${pkg.fields.Package}-${pkg.fields.Version}.apk`);
    execFileSync(apk, mkpkgArgs(pkg, root, scripts, file), { env: { ...process.env, SOURCE_DATE_EPOCH: String(mtime) }, stdio: ['ignore', 'ignore', 'pipe'] });
    console.log(`apk: ${file} (${fs.statSync(file).size} bytes)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain('apk', () => {
  const opts = options({ apk: { type: 'string' } });
  const apk = apkTool(opts.apk || process.env.APK || 'apk');
  const version = `${opts.version}-r${opts.release}`;
  const mtime = epoch();
  for (const { exe, arches } of executables(opts, 'apk')) {
    for (const arch of arches) build(apk, ddnsdPackage(version, arch, exe), opts.out, mtime);
  }
  build(apk, luciPackage(version), opts.out, mtime);
});
