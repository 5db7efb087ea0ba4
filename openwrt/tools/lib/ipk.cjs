'use strict';
// The .ipk container as OpenWrt's ipkg-build makes it: a gzip'd GNU tar holding
// ./debian-binary, ./data.tar.gz and ./control.tar.gz. Everything inside is built in memory
// with fixed mtimes, 0:0 owners and sorted names, and gzip writes no name and no time, so
// the same inputs always give the same bytes.

const zlib = require('node:zlib');
const { tar } = require('./tar.cjs');
const { Tree } = require('./tree.cjs');

/** Control field order of OpenWrt's package-pack.mk (only the fields we use). */
const FIELD_ORDER = ['Package', 'Version', 'Depends', 'Source', 'License', 'Section', 'Architecture', 'Installed-Size', 'Description'];

function gzip(buf) {
  // gzip's default level, as `gzip -n` in ipkg-build; 9 costs 4x the time for 0.4% on the executable.
  return zlib.gzipSync(buf, { level: 6 });
}

/** `Key: value` lines in package-pack.mk's order; empty fields are left out. */
function controlText(fields) {
  const unknown = Object.keys(fields).filter((k) => !FIELD_ORDER.includes(k));
  if (unknown.length) throw new Error(`ipk: unknown control field(s): ${unknown.join(', ')}`);
  if (!/^[a-zA-Z0-9_.+-]+$/.test(fields.Package || '')) throw new Error(`ipk: bad package name "${fields.Package}"`);
  const lines = [];
  for (const key of FIELD_ORDER) {
    const v = fields[key];
    if (v === undefined || v === '') continue;
    // Continuation lines of a multi-line value start with a space.
    lines.push(`${key}: ${String(v).split('\n').join('\n ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The data part of a package: its compressed tar and the uncompressed size (Installed-Size). */
function dataPart(tree, mtime) {
  const dataTar = tar(tree.entries(), mtime);
  return { size: dataTar.length, gz: gzip(dataTar) };
}

/**
 * pkg: { fields (without Installed-Size), tree: Tree, conffiles: string[],
 *        scripts: { postinst?, prerm?, ... } as Buffers }
 * `data` may be passed in when several arches share one tree (compressed once).
 * Returns { ipk: Buffer, control: string }.
 */
function buildIpk(pkg, mtime, data = dataPart(pkg.tree, mtime)) {
  const control = controlText({ ...pkg.fields, 'Installed-Size': String(data.size) });

  const ctl = new Tree();
  ctl.add('/control', 0o644, Buffer.from(control));
  if (pkg.conffiles.length) ctl.add('/conffiles', 0o644, Buffer.from(pkg.conffiles.join('\n') + '\n'));
  for (const [name, body] of Object.entries(pkg.scripts)) ctl.add('/' + name, 0o755, body);

  const members = [
    { name: './debian-binary', mode: 0o644, type: 'file', data: Buffer.from('2.0\n') },
    { name: './data.tar.gz', mode: 0o644, type: 'file', data: data.gz },
    { name: './control.tar.gz', mode: 0o644, type: 'file', data: gzip(tar(ctl.entries(), mtime)) },
  ];
  return { ipk: gzip(tar(members, mtime)), control };
}

/** `<Package>_<Version>_<Architecture>.ipk` */
function ipkName(fields) {
  return `${fields.Package}_${fields.Version}_${fields.Architecture}.ipk`;
}

module.exports = { buildIpk, dataPart, controlText, ipkName, FIELD_ORDER };
