'use strict';
// A package's file tree, held in memory: regular files, symlinks and directories with their
// modes. Owners are always 0:0 (root) and every mtime is the build's fixed time, so nothing
// of the build machine enters a package. Listed the way `tar --sort=name -C root .` walks a
// directory: "./" first, then depth-first with the entries of each directory in byte order,
// directories written as "./path/". Parent directories not added explicitly are mode 0755.

const fs = require('node:fs');
const path = require('node:path');

class Tree {
  constructor() {
    /**
     * path without leading slash → node
     * @type {Map<string, {type: 'file', mode: number, data: Buffer} | {type: 'symlink', mode: number, target: string} | {type: 'dir', mode: number}>}
     */
    this.nodes = new Map();
  }

  /** Add a regular file at absolute path `p` (e.g. "/usr/bin/ddnsd"). */
  add(p, mode, data) {
    return this.put(p, { type: 'file', mode, data });
  }

  /** Add a symlink at `p` pointing to `target` (stored as given, e.g. "/usr/lib/ddnsd/ddnsd"). */
  symlink(p, target) {
    if (!target || target.includes('\0')) throw new Error(`tree: bad symlink target for ${p}`);
    return this.put(p, { type: 'symlink', mode: 0o777, target });
  }

  /** Add a directory with an explicit mode (otherwise directories are implied, 0755). */
  dir(p, mode) {
    return this.put(p, { type: 'dir', mode });
  }

  put(p, node) {
    if (!p.startsWith('/') || p.endsWith('/') || p.includes('//') || p.split('/').includes('..') || p.split('/').includes('.')) {
      throw new Error(`tree: not a clean absolute file path: ${p}`);
    }
    const rel = p.slice(1);
    if (this.nodes.has(rel)) throw new Error(`tree: ${p} added twice`);
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      const parent = this.nodes.get(rel.slice(0, i));
      if (parent && parent.type !== 'dir') throw new Error(`tree: ${p} is inside ${parent.type} /${rel.slice(0, i)}`);
    }
    this.nodes.set(rel, node);
    return this;
  }

  /** The file node at absolute path `p`, or undefined. */
  file(p) {
    const n = this.nodes.get(p.slice(1));
    return n && n.type === 'file' ? n : undefined;
  }

  /** Add everything under directory `dir` of this machine at `prefix` (e.g. "" for "/"): files, symlinks, directories with their modes. */
  addDir(dir, prefix = '') {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name))) {
      const src = path.join(dir, ent.name);
      const dst = `${prefix}/${ent.name}`;
      const st = fs.lstatSync(src);
      if (st.isSymbolicLink()) this.symlink(dst, fs.readlinkSync(src));
      else if (st.isDirectory()) {
        this.dir(dst, st.mode & 0o7777);
        this.addDir(src, dst);
      } else if (st.isFile()) this.add(dst, st.mode & 0o7777, fs.readFileSync(src));
      else throw new Error(`tree: ${src} is neither a file, a directory nor a symlink`);
    }
    return this;
  }

  /** Absolute paths of every file and symlink, sorted (what OpenWrt's <pkg>.list holds). */
  paths() {
    return [...this.nodes.entries()]
      .filter(([, n]) => n.type !== 'dir')
      .map(([p]) => p)
      .sort(byteOrder)
      .map((p) => '/' + p);
  }

  /** Total bytes of regular file contents. */
  size() {
    let n = 0;
    for (const f of this.nodes.values()) if (f.type === 'file') n += f.data.length;
    return n;
  }

  /** Every directory (explicit or implied) as { path: "etc/config" (no slashes around; "" for the root), mode }. Sorted. */
  dirs() {
    const out = new Map([['', 0o755]]);
    for (const [rel, n] of this.nodes) {
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!out.has(d)) out.set(d, 0o755);
      }
      if (n.type === 'dir') out.set(rel, n.mode);
    }
    return [...out.entries()].sort((a, b) => byteOrder(a[0], b[0])).map(([p, mode]) => ({ path: p, mode }));
  }

  /** Entries for tar.cjs, in GNU tar's --sort=name order. */
  entries() {
    const root = { mode: 0o755, children: new Map() };
    for (const { path: d, mode } of this.dirs()) {
      if (d === '') continue;
      const parts = d.split('/');
      let node = root;
      for (const part of parts.slice(0, -1)) node = node.children.get(part);
      node.children.set(parts[parts.length - 1], { type: 'dir', mode, children: new Map() });
    }
    for (const [rel, n] of this.nodes) {
      if (n.type === 'dir') continue;
      const parts = rel.split('/');
      let node = root;
      for (const part of parts.slice(0, -1)) node = node.children.get(part);
      node.children.set(parts[parts.length - 1], n);
    }
    const out = [{ name: './', mode: root.mode, type: 'dir' }];
    walk(root, '.', out);
    return out;
  }
}

function walk(node, prefix, out) {
  for (const name of [...node.children.keys()].sort(byteOrder)) {
    const p = `${prefix}/${name}`;
    const n = node.children.get(name);
    if (n.type === 'dir') {
      out.push({ name: p + '/', mode: n.mode, type: 'dir' });
      walk(n, p, out);
    } else if (n.type === 'symlink') out.push({ name: p, mode: n.mode, type: 'symlink', target: n.target });
    else out.push({ name: p, mode: n.mode, type: 'file', data: n.data });
  }
}

function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

module.exports = { Tree, byteOrder };
