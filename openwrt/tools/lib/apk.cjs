'use strict';
// apk-tools v3 packages (OpenWrt 25.12 and later), written natively: the package schema of
// apk-tools' src/apk_adb.h on top of lib/adb.cjs, laid out as `apk mkpkg` lays it out.
//  - The ADB block's root is a package object {info, paths, scripts}. info holds name,
//    version, a 20-byte unique id (the first bytes of the SHA-256 of the ADB block written
//    with zeros in its place), description, arch, license, origin, installed size (the bytes
//    of regular files) and the dependency arrays; paths is every directory sorted by name
//    ("" is the root), each with its mode/owner and its files sorted by name; a file has its
//    mode/owner, size, mtime and SHA-256; a symlink has instead a target of the 16-bit
//    little-endian S_IFLNK followed by the link text.
//  - After the ADB block, one DATA block per non-empty regular file, in the order of the
//    paths: {dir index, file index} (32-bit, 1-based) followed by the file's bytes.
//  - The whole file is compressed as apk does by default and OpenWrt ships it: "ADBd" and one
//    raw deflate stream (apk's default level is 9; we use 6, lib/deflate.cjs, which costs
//    0.35% in size and saves 60% of the time). The part after the ADB block is the same for
//    every arch string of an ISA, so it is compressed once, its big files as pieces shared
//    with the .ipk; the head is deflated up to a full flush and put in front.
// OpenWrt's apk packages also carry /lib/apk/packages/<name>.list (the files and symlinks),
// .conffiles and .conffiles_static (path and SHA-256): see withApkMetadata().

const crypto = require('node:crypto');
const zlib = require('node:zlib');
const { AdbWriter, block, fileHeader, BLOCK, NULL } = require('./adb.cjs');
const { Tree } = require('./tree.cjs');
const { stream, LEVEL } = require('./deflate.cjs');
const S_IFLNK = 0o120000;

// Field numbers of apk-tools' schema (src/apk_adb.h).
const PKG = { INFO: 1, PATHS: 2, SCRIPTS: 3 };
const PI = { NAME: 1, VERSION: 2, HASHES: 3, DESCRIPTION: 4, ARCH: 5, LICENSE: 6, ORIGIN: 7, MAINTAINER: 8, URL: 9, INSTALLED_SIZE: 12, DEPENDS: 15, PROVIDES: 16 };
const DI = { NAME: 1, ACL: 2, FILES: 3 };
const FI = { NAME: 1, ACL: 2, SIZE: 3, MTIME: 4, HASH: 5, TARGET: 6 };
const ACL = { MODE: 1, USER: 2, GROUP: 3 };
const DEP = { NAME: 1, VERSION: 2, MATCH: 3 };
const SCRIPT = { 'pre-install': 2, 'post-install': 3, 'pre-deinstall': 4, 'post-deinstall': 5, 'pre-upgrade': 6, 'post-upgrade': 7 };
// apk_version.h: EQUAL 1, LESS 2, GREATER 4, FUZZY 8, CONFLICT 16.
const OPS = { '=': 1, '<': 2, '<=': 3, '>': 4, '>=': 5, '~': 9 };

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** apk's version syntax (digits and dots, optional letter, _suffixes, -rN): what `apk mkpkg` accepts. */
function checkVersion(v, what) {
  if (!/^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$/.test(v)) {
    throw new Error(`apk: ${what} "${v}" is not an apk version (like 1.2.0-r1)`);
  }
}

/** "name", "name>=1.0", "!name": the dependency objects' fields. */
function parseDep(text) {
  const m = /^(!?)([A-Za-z0-9][A-Za-z0-9_.+\-:/[\]]*)(?:(<=|>=|=|<|>|~)(.+))?$/.exec(text);
  if (!m) throw new Error(`apk: bad dependency "${text}"`);
  const [, not, name, op, version] = m;
  if (op) checkVersion(version, `version of dependency ${name}`);
  let match = op ? OPS[op] : 0;
  if (not) match = (match || 0) | 16;
  return { name, version: op ? version : undefined, match };
}

/** The tree of the package plus OpenWrt's /lib/apk/packages/<name>.{list,conffiles,conffiles_static}. */
function withApkMetadata(pkg) {
  const name = pkg.fields.Package;
  const tree = new Tree();
  for (const [rel, node] of pkg.tree.nodes) tree.put('/' + rel, node);
  const meta = `/lib/apk/packages/${name}`;
  const list = pkg.tree.paths();
  tree.add(`${meta}.list`, 0o644, Buffer.from(list.join('\n') + '\n'));
  if (pkg.conffiles.length) {
    tree.add(`${meta}.conffiles`, 0o644, Buffer.from(pkg.conffiles.join('\n') + '\n'));
    const sums = pkg.conffiles.map((f) => {
      const file = pkg.tree.file(f);
      if (!file) throw new Error(`apk: conffile ${f} is not a file of ${name}`);
      return `${f} ${sha256(file.data).toString('hex')}`;
    });
    tree.add(`${meta}.conffiles_static`, 0o644, Buffer.from(sums.join('\n') + '\n'));
  }
  return tree;
}

/**
 * The directories and files of `tree` in apk's order, with the DATA blocks that follow the
 * ADB block. Independent of the package's fields, so one layout serves every arch string.
 */
function layout(tree, mtime) {
  const dirs = tree.dirs().map((d) => ({ ...d, files: [] }));
  const index = new Map(dirs.map((d, i) => [d.path, i]));
  for (const [rel, node] of tree.nodes) {
    if (node.type === 'dir') continue;
    const slash = rel.lastIndexOf('/');
    dirs[index.get(slash === -1 ? '' : rel.slice(0, slash))].files.push({ name: rel.slice(slash + 1), node });
  }
  const data = [];
  let installed = 0;
  dirs.forEach((d, i) => {
    d.files.sort((a, b) => byteOrder(a.name, b.name));
    d.files.forEach((f, j) => {
      if (f.node.type !== 'file') return;
      f.hash = sha256(f.node.data);
      installed += f.node.data.length;
      if (f.node.data.length === 0) return;
      const idx = Buffer.alloc(8);
      idx.writeUInt32LE(i + 1, 0);
      idx.writeUInt32LE(j + 1, 4);
      data.push(...block(BLOCK.DATA, idx, f.node.data));
    });
  });
  return { dirs, data, installed: Math.max(installed, 1), mtime };
}

/**
 * The uncompressed head of a package: "ADB.pckg" and the ADB block.
 * info: { name, version, arch, description, license, origin, depends: string[], provides: string[] }
 * scripts: { 'post-install': Buffer, ... }
 */
function adbHead(info, lay, scripts) {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(info.name)) throw new Error(`apk: bad package name "${info.name}"`);
  checkVersion(info.version, `version of ${info.name}`);
  if (!info.arch || /\s/.test(info.arch)) throw new Error(`apk: bad arch "${info.arch}"`);
  const w = new AdbWriter();
  const root = w.blob('root');
  const acl = (mode) => w.object([NULL, w.int(mode), root, root]);

  const paths = lay.dirs.map((d) => {
    const files = d.files.map((f) => {
      const fields = [];
      fields[FI.NAME] = w.blob(f.name);
      fields[FI.ACL] = acl(f.node.mode & 0o7777);
      if (f.node.type === 'symlink') {
        const target = Buffer.from(f.node.target, 'utf8');
        const mode = Buffer.alloc(2);
        mode.writeUInt16LE(S_IFLNK);
        fields[FI.SIZE] = w.int(target.length);
        fields[FI.TARGET] = w.blob(Buffer.concat([mode, target]));
      } else {
        fields[FI.SIZE] = w.int(f.node.data.length);
        fields[FI.HASH] = w.blob(f.hash);
      }
      fields[FI.MTIME] = w.int(lay.mtime);
      return w.object(fields);
    });
    const fields = [];
    fields[DI.NAME] = w.blob(d.path);
    fields[DI.ACL] = acl(d.mode);
    fields[DI.FILES] = w.array(files);
    return w.object(fields);
  });

  const deps = (list) => {
    const parsed = list.map(parseDep).sort((a, b) => byteOrder(a.name, b.name) || byteOrder(a.version || '', b.version || ''));
    const unique = parsed.filter((d, i) => i === 0 || d.name !== parsed[i - 1].name || d.version !== parsed[i - 1].version);
    return w.array(unique.map((d) => w.object([NULL, w.blob(d.name), d.version ? w.blob(d.version) : NULL, d.match && d.match !== 1 ? w.int(d.match) : NULL])));
  };

  const pi = [];
  pi[PI.NAME] = w.blob(info.name);
  pi[PI.VERSION] = w.blob(info.version);
  const uid = w.blobAt(Buffer.alloc(20));
  pi[PI.HASHES] = uid.value;
  pi[PI.DESCRIPTION] = w.blob(info.description || '');
  pi[PI.ARCH] = w.blob(info.arch);
  pi[PI.LICENSE] = w.blob(info.license || '');
  pi[PI.ORIGIN] = w.blob(info.origin || '');
  pi[PI.MAINTAINER] = w.blob(info.maintainer || '');
  pi[PI.URL] = w.blob(info.url || '');
  pi[PI.INSTALLED_SIZE] = w.int(lay.installed);
  pi[PI.DEPENDS] = deps(info.depends || []);
  pi[PI.PROVIDES] = deps(info.provides || []);

  const pkg = [];
  pkg[PKG.INFO] = w.object(pi);
  pkg[PKG.PATHS] = w.array(paths);
  const sc = [];
  for (const [type, body] of Object.entries(scripts)) {
    if (!SCRIPT[type]) throw new Error(`apk: unknown script type ${type}`);
    sc[SCRIPT[type]] = w.blob(body);
  }
  pkg[PKG.SCRIPTS] = w.object(sc);
  const adb = w.finish(w.object(pkg));
  sha256(adb).copy(adb, uid.at, 0, 20);
  return Buffer.concat([fileHeader('pckg'), ...block(BLOCK.ADB, adb)]);
}

/** Compress the DATA blocks of a layout (the slow part; shared by every arch of an ISA). Ends the deflate stream. */
async function compressData(lay) {
  return (await stream(lay.data)).deflated;
}

/** The .apk file: "ADBd", the head deflated up to a full flush, then the compressed data. */
function assemble(head, compressedData) {
  const h = zlib.deflateRawSync(head, { level: LEVEL, finishFlush: zlib.constants.Z_FULL_FLUSH });
  return Buffer.concat([Buffer.from('ADBd'), h, compressedData]);
}

/** <name>-<version>.apk, as OpenWrt names them. */
function apkName(info) {
  return `${info.name}-${info.version}.apk`;
}

module.exports = { withApkMetadata, layout, adbHead, compressData, assemble, apkName, parseDep, checkVersion };
