// An independent reader of apk-tools v3 packages, written for the tests from the format's
// documentation (apk-tools doc/apk-v3.5.scd, the field tables of src/apk_adb.h) and sharing
// no code with the packer (openwrt/tools/lib/adb.cjs, apk.cjs). It checks what apk checks
// when it opens and extracts a package, and more: every value lies inside the ADB block,
// DATA blocks arrive in path order with the sizes and SHA-256 hashes the metadata promises,
// and no regular file of non-zero size lacks its data.
import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

export interface AdbAcl {
  mode: number;
  user: string;
  group: string;
}
export interface AdbFile extends AdbAcl {
  name: string;
  size: number;
  mtime: number;
  hash?: string; // hex SHA-256 of a regular file
  symlink?: string; // target of a symlink
}
export interface AdbDir extends AdbAcl {
  name: string; // "" for the root
  files: AdbFile[];
}
export interface AdbDep {
  name: string;
  version?: string;
  match?: number;
}
export interface ApkPackage {
  compression: 'none' | 'deflate';
  schema: string;
  info: {
    name: string;
    version: string;
    uniqueId: string;
    description?: string;
    arch?: string;
    license?: string;
    origin?: string;
    maintainer?: string;
    url?: string;
    installedSize: number;
    depends: AdbDep[];
    provides: AdbDep[];
  };
  paths: AdbDir[];
  scripts: Record<string, string>;
  /** path without leading slash → contents, for every regular file */
  data: Map<string, Buffer>;
  /** the ADB block's payload, for checking the unique id */
  adb: Buffer;
  /** the whole file, decompressed */
  raw: Buffer;
}

const SCRIPT_NAMES = ['', 'trigger', 'pre-install', 'post-install', 'pre-deinstall', 'post-deinstall', 'pre-upgrade', 'post-upgrade'];

class Block {
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}

  /** Decode a 32-bit value word: [type nibble, 28-bit payload]. */
  split(word: number): [number, number] {
    return [word >>> 28, word & 0x0fffffff];
  }

  at(off: number, len: number, what: string): Buffer {
    if (off + len > this.buf.length) throw new Error(`${this.what}: ${what} at ${off}+${len} lies outside the ${this.buf.length}-byte ADB block`);
    return this.buf.subarray(off, off + len);
  }

  int(word: number, what: string): number | undefined {
    const [type, v] = this.split(word);
    if (word === 0) return undefined;
    if (type === 0x1) return v;
    if (type === 0x2) return this.at(v, 4, what).readUInt32LE(0);
    if (type === 0x3) return Number(this.at(v, 8, what).readBigUInt64LE(0));
    throw new Error(`${this.what}: ${what} should be an integer, found type 0x${type.toString(16)}`);
  }

  blob(word: number, what: string): Buffer | undefined {
    if (word === 0) return undefined;
    const [type, v] = this.split(word);
    const width = type === 0x8 ? 1 : type === 0x9 ? 2 : type === 0xa ? 4 : 0;
    if (!width) throw new Error(`${this.what}: ${what} should be a blob, found type 0x${type.toString(16)}`);
    const head = this.at(v, width, what);
    const len = width === 1 ? head[0] : width === 2 ? head.readUInt16LE(0) : head.readUInt32LE(0);
    return this.at(v + width, len, what);
  }

  str(word: number, what: string): string | undefined {
    const b = this.blob(word, what);
    return b && b.toString('utf8');
  }

  /** Slots of an object or array: slot 0 holds the count; missing slots read as 0 (NULL). */
  slots(word: number, kind: 'object' | 'array', what: string): number[] {
    if (word === 0) return [];
    const [type, v] = this.split(word);
    if (type !== (kind === 'object' ? 0xe : 0xd)) throw new Error(`${this.what}: ${what} should be an ${kind}, found type 0x${type.toString(16)}`);
    if (v % 4) throw new Error(`${this.what}: ${what} is not 4-byte aligned`);
    const n = this.at(v, 4, what).readUInt32LE(0);
    if (n < 1) throw new Error(`${this.what}: ${what} has no slot count`);
    const raw = this.at(v, 4 * n, what);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(raw.readUInt32LE(4 * i));
    return out;
  }

  items(word: number, what: string): number[] {
    return this.slots(word, 'array', what).slice(1);
  }
}

function sortedBy<T>(list: T[], key: (x: T) => string, what: string) {
  for (let i = 1; i < list.length; i++) {
    if (Buffer.compare(Buffer.from(key(list[i - 1])), Buffer.from(key(list[i]))) >= 0) {
      throw new Error(`${what} not sorted: "${key(list[i - 1])}" before "${key(list[i])}"`);
    }
  }
}

/** Read a .apk (v3) file completely; throws a precise error for anything malformed. */
export function readApk(file: Buffer, name = 'apk'): ApkPackage {
  let compression: ApkPackage['compression'];
  let raw: Buffer;
  const magic = file.subarray(0, 4).toString('latin1');
  if (magic === 'ADB.') {
    compression = 'none';
    raw = file;
  } else if (magic === 'ADBd') {
    compression = 'deflate';
    raw = inflateRawSync(file.subarray(4));
  } else if (magic === 'ADBc') {
    if (file[4] !== 1) throw new Error(`${name}: compression algorithm ${file[4]} is not deflate`);
    compression = 'deflate';
    raw = inflateRawSync(file.subarray(6));
  } else throw new Error(`${name}: not an apk v3 file (starts with ${JSON.stringify(magic)})`);
  if (raw.subarray(0, 4).toString('latin1') !== 'ADB.') throw new Error(`${name}: no "ADB." header after decompression`);
  const schema = raw.subarray(4, 8).toString('latin1');

  // Blocks: ADB first, then SIG*, then DATA*.
  const blocks: { type: number; payload: Buffer }[] = [];
  let pos = 8;
  while (pos < raw.length) {
    if (pos + 4 > raw.length) throw new Error(`${name}: truncated block header at ${pos}`);
    const word = raw.readUInt32LE(pos);
    let type = word >>> 30;
    let headLen = 4;
    let rawSize = word & 0x3fffffff;
    if (type === 3) {
      type = word & 0x3fffffff;
      headLen = 16;
      rawSize = Number(raw.readBigUInt64LE(pos + 8));
    }
    if (rawSize < headLen || pos + rawSize > raw.length) throw new Error(`${name}: block at ${pos} of size ${rawSize} does not fit`);
    blocks.push({ type, payload: raw.subarray(pos + headLen, pos + rawSize) });
    const padded = Math.ceil(rawSize / 8) * 8;
    if (pos + padded > raw.length) throw new Error(`${name}: block at ${pos} lacks its padding`);
    if (raw.subarray(pos + rawSize, pos + padded).some((b) => b !== 0)) throw new Error(`${name}: non-zero padding after block at ${pos}`);
    pos += padded;
  }
  if (!blocks.length || blocks[0].type !== 0) throw new Error(`${name}: the first block is not an ADB block`);
  let seenData = false;
  for (const b of blocks.slice(1)) {
    if (b.type === 0) throw new Error(`${name}: a second ADB block`);
    if (b.type === 1 && seenData) throw new Error(`${name}: SIG block after DATA`);
    if (b.type === 2) seenData = true;
    if (b.type > 2) throw new Error(`${name}: block type ${b.type}`);
  }

  const adb = blocks[0].payload;
  if (adb.length < 8) throw new Error(`${name}: ADB block too short`);
  if (adb[0] !== 0) throw new Error(`${name}: ADB compat version ${adb[0]}`);
  const r = new Block(adb, name);
  const root = r.slots(adb.readUInt32LE(4), 'object', 'root');
  const [, infoW = 0, pathsW = 0, scriptsW = 0] = root;

  const info = r.slots(infoW, 'object', 'info');
  const f = (i: number) => info[i] ?? 0;
  const deps = (w: number, what: string): AdbDep[] =>
    r.items(w, what).map((d, i) => {
      const s = r.slots(d, 'object', `${what}[${i}]`);
      const dep: AdbDep = { name: r.str(s[1] ?? 0, `${what}[${i}].name`) ?? '' };
      const version = r.str(s[2] ?? 0, `${what}[${i}].version`);
      if (version !== undefined) dep.version = version;
      const match = r.int(s[3] ?? 0, `${what}[${i}].match`);
      if (match !== undefined) dep.match = match;
      return dep;
    });
  const uid = r.blob(f(3), 'info.hashes');
  const pkgInfo: ApkPackage['info'] = {
    name: r.str(f(1), 'info.name') ?? '',
    version: r.str(f(2), 'info.version') ?? '',
    uniqueId: uid ? uid.toString('hex') : '',
    description: r.str(f(4), 'info.description'),
    arch: r.str(f(5), 'info.arch'),
    license: r.str(f(6), 'info.license'),
    origin: r.str(f(7), 'info.origin'),
    maintainer: r.str(f(8), 'info.maintainer'),
    url: r.str(f(9), 'info.url'),
    installedSize: r.int(f(12), 'info.installed-size') ?? 0,
    depends: deps(f(15), 'depends'),
    provides: deps(f(16), 'provides'),
  };
  sortedBy(pkgInfo.depends, (d) => d.name, 'depends');

  const acl = (w: number, what: string): AdbAcl => {
    const s = r.slots(w, 'object', what);
    return { mode: r.int(s[1] ?? 0, `${what}.mode`) ?? 0, user: r.str(s[2] ?? 0, `${what}.user`) ?? '', group: r.str(s[3] ?? 0, `${what}.group`) ?? '' };
  };
  const paths: AdbDir[] = r.items(pathsW, 'paths').map((dw, i) => {
    const d = r.slots(dw, 'object', `paths[${i}]`);
    const dirName = r.str(d[1] ?? 0, `paths[${i}].name`) ?? '';
    const files = r.items(d[3] ?? 0, `paths[${i}].files`).map((fw, j) => {
      const what = `${dirName}/[${j}]`;
      const s = r.slots(fw, 'object', what);
      const entry: AdbFile = {
        name: r.str(s[1] ?? 0, `${what}.name`) ?? '',
        ...acl(s[2] ?? 0, `${what}.acl`),
        size: r.int(s[3] ?? 0, `${what}.size`) ?? 0,
        mtime: r.int(s[4] ?? 0, `${what}.mtime`) ?? 0,
      };
      const hash = r.blob(s[5] ?? 0, `${what}.hash`);
      const target = r.blob(s[6] ?? 0, `${what}.target`);
      if (target) {
        const kind = target.readUInt16LE(0);
        if (kind !== 0o120000) throw new Error(`${name}: ${dirName}/${entry.name} has a target of file type 0${kind.toString(8)}, not a symlink`);
        entry.symlink = target.subarray(2).toString('utf8');
      } else {
        if (!hash || hash.length !== 32) throw new Error(`${name}: regular file ${dirName}/${entry.name} has no SHA-256 hash`);
        entry.hash = hash.toString('hex');
      }
      return entry;
    });
    sortedBy(files, (x) => x.name, `files of "${dirName}"`);
    return { name: dirName, ...acl(d[2] ?? 0, `paths[${i}].acl`), files };
  });
  sortedBy(paths, (p) => p.name, 'paths');

  const scripts: Record<string, string> = {};
  r.slots(scriptsW, 'object', 'scripts').forEach((w, i) => {
    if (i === 0 || w === 0) return;
    scripts[SCRIPT_NAMES[i] ?? `script${i}`] = r.str(w, `scripts[${i}]`) ?? '';
  });

  // DATA blocks: in path order, one per regular file of non-zero size.
  const expected: [number, number, AdbDir, AdbFile][] = [];
  paths.forEach((d, i) => d.files.forEach((fl, j) => fl.hash && fl.size > 0 && expected.push([i + 1, j + 1, d, fl])));
  const dataBlocks = blocks.filter((b) => b.type === 2);
  if (dataBlocks.length !== expected.length) throw new Error(`${name}: ${dataBlocks.length} DATA blocks for ${expected.length} non-empty files`);
  const data = new Map<string, Buffer>();
  dataBlocks.forEach((b, k) => {
    const [pi, fi, d, fl] = expected[k];
    const gotPath = b.payload.readUInt32LE(0);
    const gotFile = b.payload.readUInt32LE(4);
    const content = b.payload.subarray(8);
    const where = d.name ? `${d.name}/${fl.name}` : fl.name;
    if (gotPath !== pi || gotFile !== fi) throw new Error(`${name}: DATA block ${k} is for path ${gotPath} file ${gotFile}, expected ${pi}/${fi} (${where})`);
    if (content.length !== fl.size) throw new Error(`${name}: ${where} has ${content.length} bytes of data, metadata says ${fl.size}`);
    if (createHash('sha256').update(content).digest('hex') !== fl.hash) throw new Error(`${name}: ${where} does not match its SHA-256`);
    data.set(where, content);
  });
  for (const d of paths) {
    for (const fl of d.files) {
      const where = d.name ? `${d.name}/${fl.name}` : fl.name;
      if (fl.hash && fl.size === 0) {
        if (fl.hash !== createHash('sha256').update(Buffer.alloc(0)).digest('hex')) throw new Error(`${name}: empty ${where} has a wrong hash`);
        data.set(where, Buffer.alloc(0));
      }
    }
  }
  return { compression, schema, info: pkgInfo, paths, scripts, data, adb, raw };
}

/** Whether the unique id is the first 20 bytes of the SHA-256 of the ADB block with zeros in its place (how apk mkpkg makes it). */
export function uniqueIdMatches(pkg: ApkPackage): boolean {
  const id = Buffer.from(pkg.info.uniqueId, 'hex');
  const at = pkg.adb.indexOf(id);
  if (id.length !== 20 || at < 0) return false;
  const zeroed = Buffer.from(pkg.adb);
  zeroed.fill(0, at, at + 20);
  return createHash('sha256').update(zeroed).digest().subarray(0, 20).equals(id);
}

/** The installed tree as "mode user:group path [-> target]" lines, directories included, sorted by path. */
export function listing(pkg: ApkPackage): string[] {
  const out: [string, string][] = [];
  for (const d of pkg.paths) {
    if (d.name) out.push([d.name + '/', `d${d.mode.toString(8).padStart(4, '0')} ${d.user}:${d.group} ${d.name}/`]);
    for (const f of d.files) {
      const p = d.name ? `${d.name}/${f.name}` : f.name;
      out.push([p, `${f.symlink ? 'l' : '-'}${f.mode.toString(8).padStart(4, '0')} ${f.user}:${f.group} ${p}${f.symlink ? ` -> ${f.symlink}` : ''}`]);
    }
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))).map((x) => x[1]);
}
