#!/usr/bin/env node
// Writes OpenWrt packages without the SDK:
//   dist/ddnsd_<version>-r<release>_<arch>.ipk for every arch an available executable serves
//   dist/luci-app-ddnsd_<version>-r<release>_all.ipk
// Executables: <release-dir>/ddnsd-{x86_64,aarch64,armv7} from `make release` when present;
// otherwise x86_64 uses --exe (the host build from `make dist/ddnsd`).
// Reproducible: mtimes are SOURCE_DATE_EPOCH, else the last commit's time.
//   node ipk.cjs --version V --exe dist/ddnsd --out dist [--release 1] [--release-dir DIR]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { buildIpk, dataPart, ipkName } = require('./lib/ipk.cjs');
const { ddnsdPackage, luciPackage } = require('./lib/packages.cjs');
const { epoch, executables, options, runMain } = require('./lib/inputs.cjs');

function write(out, fields, ipk) {
  const file = path.join(out, ipkName(fields));
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, ipk);
  fs.renameSync(tmp, file);
  console.log(`ipk: ${file} (${ipk.length} bytes)`);
}

runMain('ipk', () => {
  const opts = options();
  const version = `${opts.version}-r${opts.release}`;
  const mtime = epoch();
  fs.mkdirSync(opts.out, { recursive: true });
  for (const { exe, arches } of executables(opts, 'ipk')) {
    let data; // the same tree for every arch of this ISA: compress it once
    for (const arch of arches) {
      const pkg = ddnsdPackage(version, arch, exe);
      data = data || dataPart(pkg.tree, mtime);
      write(opts.out, pkg.fields, buildIpk(pkg, mtime, data).ipk);
    }
  }
  const luci = luciPackage(version);
  write(opts.out, luci.fields, buildIpk(luci, mtime).ipk);
});
