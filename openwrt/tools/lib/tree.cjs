'use strict';
// A package's file tree, held in memory and listed the way `tar --sort=name -C root .` walks
// a directory: "./" first, then depth-first with the entries of each directory in byte order,
// directories written as "./path/". Parent directories are implied, mode 0755.

class Tree {
  constructor() {
    /** @type {Map<string, {mode: number, data: Buffer}>} path without leading slash → file */
    this.files = new Map();
  }

  /** Add a file at absolute path `path` (e.g. "/usr/bin/ddnsd"). */
  add(path, mode, data) {
    if (!path.startsWith('/') || path.endsWith('/') || path.includes('//') || path.split('/').includes('..')) {
      throw new Error(`tree: not a clean absolute file path: ${path}`);
    }
    const rel = path.slice(1);
    if (this.files.has(rel)) throw new Error(`tree: ${path} added twice`);
    this.files.set(rel, { mode, data });
    return this;
  }

  /** Absolute paths of every file, sorted. */
  paths() {
    return [...this.files.keys()].sort(byteOrder).map((p) => '/' + p);
  }

  /** Total bytes of file contents. */
  size() {
    let n = 0;
    for (const f of this.files.values()) n += f.data.length;
    return n;
  }

  /** Entries for tar.cjs, in GNU tar's --sort=name order. */
  entries() {
    const root = { dirs: new Map(), files: new Map() };
    for (const [rel, file] of this.files) {
      const parts = rel.split('/');
      let node = root;
      for (const dir of parts.slice(0, -1)) {
        if (!node.dirs.has(dir)) node.dirs.set(dir, { dirs: new Map(), files: new Map() });
        node = node.dirs.get(dir);
      }
      node.files.set(parts[parts.length - 1], file);
    }
    const out = [{ name: './', mode: 0o755, type: 'dir' }];
    walk(root, '.', out);
    return out;
  }
}

function walk(node, prefix, out) {
  const names = [...node.dirs.keys(), ...node.files.keys()].sort(byteOrder);
  for (const name of names) {
    const path = `${prefix}/${name}`;
    const dir = node.dirs.get(name);
    if (dir) {
      out.push({ name: path + '/', mode: 0o755, type: 'dir' });
      walk(dir, path, out);
    } else {
      const f = node.files.get(name);
      out.push({ name: path, mode: f.mode, type: 'file', data: f.data });
    }
  }
}

function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

module.exports = { Tree };
