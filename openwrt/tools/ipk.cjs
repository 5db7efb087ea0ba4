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
const { parseArgs } = require('node:util');
const { ISAS, checkExecutable, staticWarning } = require('./lib/arches.cjs');
const { buildIpk, dataPart, ipkName } = require('./lib/ipk.cjs');
const { ddnsdPackage, luciPackage } = require('./lib/packages.cjs');
const { epoch, executables } = require('./lib/inputs.cjs');

function options() {
  const { values } = parseArgs({
    options: {
      version: { type: 'string' },
      release: { type: 'string', default: '1' },
      exe: { type: 'string' },
      out: { type: 'string', default: 'dist' },
      'release-dir': { type: 'string' },
    },
  });
  if (!values.version || !/^[0-9][0-9A-Za-z.+~]*$/.test(values.version)) {
    throw new Error('--version is required: the package version, e.g. 0.1.0');
  }
  if (!/^[0-9]+$/.test(values.release)) throw new Error(`--release must be a number, got "${values.release}"`);
  return { ...values, releaseDir: values['release-dir'] || path.join(values.out, 'release') };
}

function write(out, fields, ipk) {
  const file = path.join(out, ipkName(fields));
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, ipk);
  fs.renameSync(tmp, file);
  console.log(`ipk: ${file} (${ipk.length} bytes)`);
}

function main() {
  const opts = options();
  const version = `${opts.version}-r${opts.release}`;
  const mtime = epoch();
  fs.mkdirSync(opts.out, { recursive: true });
  for (const { isa, file } of executables(opts, 'ipk')) {
    const exe = fs.readFileSync(file);
    checkExecutable(exe, isa, file);
    const warning = staticWarning(exe, file);
    if (warning) console.warn(`ipk: warning: ${warning}`);
    let data; // the same tree for every arch of this ISA: compress it once
    for (const arch of ISAS.find((s) => s.isa === isa).arches) {
      const pkg = ddnsdPackage(version, arch, exe);
      data = data || dataPart(pkg.tree, mtime);
      write(opts.out, pkg.fields, buildIpk(pkg, mtime, data).ipk);
    }
  }
  const luci = luciPackage(version);
  write(opts.out, luci.fields, buildIpk(luci, mtime).ipk);
}

try {
  main();
} catch (err) {
  console.error(`ipk: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
