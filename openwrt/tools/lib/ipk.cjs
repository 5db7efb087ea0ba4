'use strict';
// The .ipk container as OpenWrt's ipkg-build makes it: a gzip'd GNU tar holding
// ./debian-binary, ./data.tar.gz and ./control.tar.gz, in that order. Everything inside is
// built in memory with fixed mtimes, 0:0 owners and sorted names, and gzip writes no name and
// no time, so the same inputs always give the same bytes.
//
// Speed: the arch strings of one ISA share the data tree, so dataPart() compresses it once
// (its big files as pieces shared with the .apk, lib/deflate.cjs), and also deflates the
// outer tar's first two members once, up to a full flush. buildIpk() then only deflates the
// small control member and the end of the archive as the rest of the same deflate stream,
// and writes gzip's CRC-32 and length of the whole.

const zlib = require('node:zlib');
const { tar, members, memberParts, end } = require('./tar.cjs');
const { Tree } = require('./tree.cjs');
const { piece, stream, gzipOf, LEVEL } = require('./deflate.cjs');

/** Control field order of OpenWrt's package-pack.mk (only the fields we use). */
const FIELD_ORDER = ['Package', 'Version', 'Depends', 'Provides', 'Source', 'License', 'Section', 'Architecture', 'Installed-Size', 'Description'];

function gzip(buf) {
  return zlib.gzipSync(buf, { level: LEVEL });
}

/** `Key: value` lines in package-pack.mk's order; empty fields are left out. */
function controlText(fields) {
  const unknown = Object.keys(fields).filter((k) => !FIELD_ORDER.includes(k));
  if (unknown.length) throw new Error(`ipk: unknown control field(s): ${unknown.join(', ')}`);
  if (!/^[a-zA-Z0-9_.+-]+$/.test(fields.Package || '')) throw new Error(`ipk: bad package name "${fields.Package}"`);
  if (!/^[a-zA-Z0-9_.+-]+$/.test(fields.Architecture || '')) throw new Error(`ipk: bad architecture "${fields.Architecture}"`);
  const lines = [];
  for (const key of FIELD_ORDER) {
    const v = fields[key];
    if (v === undefined || v === '') continue;
    // Continuation lines of a multi-line value start with a space.
    lines.push(`${key}: ${String(v).split('\n').join('\n ')}`);
  }
  return lines.join('\n') + '\n';
}

const member = (name, data) => ({ name, mode: 0o644, type: 'file', data });

/**
 * The part of an ipk shared by every arch of a tree: the uncompressed size of the data tar
 * (Installed-Size) and the outer archive up to the control member, raw-deflated up to a
 * full flush, with its length and CRC-32.
 */
async function dataPart(tree, mtime) {
  const parts = memberParts(tree.entries(), mtime);
  const length = parts.reduce((n, p) => n + p.length, 0);
  parts.push(end(length));
  const gz = gzipOf(await stream(parts));
  const head = members([member('./debian-binary', Buffer.from('2.0\n')), member('./data.tar.gz', gz)], mtime);
  return { size: length + parts[parts.length - 1].length, head: await piece(head) };
}

/**
 * pkg: { fields (with Architecture, without Installed-Size), tree: Tree, conffiles: string[],
 *        scripts: { postinst?, prerm?, ... } as Buffers }
 * data: dataPart(pkg.tree, mtime), shared by the arches of one tree.
 * Returns { ipk: Buffer, control: string }.
 */
function buildIpk(pkg, mtime, data) {
  const control = controlText({ ...pkg.fields, 'Installed-Size': String(data.size) });

  const ctl = new Tree();
  ctl.add('/control', 0o644, Buffer.from(control));
  if (pkg.conffiles.length) ctl.add('/conffiles', 0o644, Buffer.from(pkg.conffiles.join('\n') + '\n'));
  for (const [name, body] of Object.entries(pkg.scripts)) ctl.add('/' + name, 0o755, body);

  const ctlMember = members([member('./control.tar.gz', gzip(tar(ctl.entries(), mtime)))], mtime);
  const tail = Buffer.concat([ctlMember, end(data.head.length + ctlMember.length)]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(tail, data.head.crc), 0);
  trailer.writeUInt32LE((data.head.length + tail.length) % 2 ** 32, 4);
  // gzip header: deflate, no flags, no time, no extra flags, OS Unix (what gzip -n writes).
  const gzHeader = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const ipk = Buffer.concat([gzHeader, data.head.deflated, zlib.deflateRawSync(tail, { level: LEVEL }), trailer]);
  return { ipk, control };
}

/** `<Package>_<Version>_<Architecture>.ipk` */
function ipkName(fields) {
  return `${fields.Package}_${fields.Version}_${fields.Architecture}.ipk`;
}

module.exports = { buildIpk, dataPart, controlText, ipkName, FIELD_ORDER };
