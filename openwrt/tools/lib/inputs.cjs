'use strict';
// What both packers (ipk.cjs, apk.cjs) share: the command line, the fixed timestamp, the
// staging trees of the router executables, and how a failure is reported.
//
// A staging tree is what `make` leaves per ISA in dist/stage/<isa>/: exactly the files the
// router gets from the executable build, at their router paths (usr/lib/ddnsd/ddnsd, the
// glibc loader and libraries beside it, licence texts under usr/share/doc/ddnsd/, the symlink
// usr/bin/ddnsd -> /usr/lib/ddnsd/ddnsd), plus dist/stage/<isa>.json:
//   {"isa", "node_version", "experimental": bool, "debian": [{"package","source","version","sha256"}]}

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { execFileSync } = require('node:child_process');
const { ISAS, isaSpec, checkExecutable } = require('./arches.cjs');
const { Tree } = require('./tree.cjs');

const REPO = path.resolve(__dirname, '..', '..', '..');
const EXE = '/usr/lib/ddnsd/ddnsd';
const LINK = '/usr/bin/ddnsd';

/** SOURCE_DATE_EPOCH, or the time of the last commit. */
function epoch() {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^[0-9]+$/.test(env)) throw new Error(`SOURCE_DATE_EPOCH must be a number of seconds, got "${env}"`);
    return Number(env);
  }
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    throw new Error('no SOURCE_DATE_EPOCH and no git history to take a fixed time from; set SOURCE_DATE_EPOCH');
  }
}

/** --version V --stage DIR --out DIR [--release N] [--isa LIST], plus `extra` options. */
function options(extra = {}) {
  const { values } = parseArgs({
    options: {
      version: { type: 'string' },
      release: { type: 'string', default: '1' },
      stage: { type: 'string', default: path.join('dist', 'stage') },
      out: { type: 'string', default: 'dist' },
      ...extra,
    },
  });
  if (!values.version || !/^[0-9][0-9A-Za-z.]*$/.test(values.version)) {
    throw new Error('--version is required: the package version, e.g. 0.1.0');
  }
  if (!/^[0-9]+$/.test(values.release)) throw new Error(`--release must be a number, got "${values.release}"`);
  return values;
}

/** Read and check dist/stage/<isa>.json. */
function manifest(file, isa) {
  let m;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not readable JSON (${err.message})`);
  }
  const bad = (what) => new Error(`${file}: ${what}`);
  if (!m || typeof m !== 'object') throw bad('not an object');
  if (m.isa !== isa) throw bad(`"isa" is ${JSON.stringify(m.isa)}, expected "${isa}" as in its name`);
  if (typeof m.node_version !== 'string' || !/^v?[0-9]+\.[0-9]+\.[0-9]+$/.test(m.node_version)) {
    throw bad(`"node_version" must be a version like "22.23.5", got ${JSON.stringify(m.node_version)}`);
  }
  if (typeof m.experimental !== 'boolean') throw bad(`"experimental" must be true or false, got ${JSON.stringify(m.experimental)}`);
  if (!Array.isArray(m.debian)) throw bad('"debian" must be a list of {package, source, version, sha256}');
  for (const [i, d] of m.debian.entries()) {
    for (const k of ['package', 'source', 'version']) {
      if (typeof (d && d[k]) !== 'string' || !d[k]) throw bad(`debian[${i}].${k} must be a non-empty string`);
    }
    if (!/^[0-9a-f]{64}$/.test(d.sha256 || '')) throw bad(`debian[${i}].sha256 must be 64 hex digits`);
  }
  return { ...m, node_version: m.node_version.replace(/^v/, '') };
}

/**
 * [{ isa, arches, manifest, tree }] for each ISA with a staging tree in `stageDir`, in the
 * order of ISAS. The tree is read from disk (modes and symlinks kept, owners dropped) and
 * checked: the executable is an ELF file for its ISA, /usr/bin/ddnsd points at it.
 */
function stages(stageDir, who) {
  const found = [];
  for (const { isa, arches } of ISAS) {
    const dir = path.join(stageDir, isa);
    const json = path.join(stageDir, `${isa}.json`);
    if (!fs.existsSync(json) && !fs.existsSync(dir)) {
      console.log(`${who}: no ${isa} staging tree (${dir}); no ${isa} packages`);
      continue;
    }
    if (!fs.existsSync(json)) throw new Error(`${dir} has no manifest ${json}`);
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${json} has no staging tree ${dir}`);
    const m = manifest(json, isa);
    const tree = new Tree().addDir(dir);
    const exe = tree.file(EXE);
    if (!exe) throw new Error(`${dir}: no executable ${EXE.slice(1)}`);
    if ((exe.mode & 0o111) !== 0o111) throw new Error(`${dir}: ${EXE.slice(1)} has mode ${exe.mode.toString(8)}, not executable by all`);
    checkExecutable(exe.data, isa, path.join(dir, EXE));
    const link = tree.nodes.get(LINK.slice(1));
    if (!link || link.type !== 'symlink' || link.target !== EXE) throw new Error(`${dir}: ${LINK.slice(1)} must be a symlink to ${EXE}`);
    found.push({ isa, arches, manifest: m, tree });
  }
  return found;
}

/** Throw when any file of `tree` holds `needle` (an absolute path of this machine). */
function checkNoPath(tree, needles, name) {
  for (const needle of needles) {
    const b = Buffer.from(needle);
    for (const [rel, n] of tree.nodes) {
      const hay = n.type === 'file' ? n.data : n.type === 'symlink' ? Buffer.from(n.target) : undefined;
      if (hay && hay.indexOf(b) !== -1) throw new Error(`${name}: /${rel} contains the build machine's path ${needle}`);
    }
  }
}

/** Write `buf` to `file` atomically (a rename), creating its directory. */
function writeOut(file, buf, who) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, file);
  console.log(`${who}: ${file} (${buf.length} bytes)`);
}

/** Run a packer's main, turning any failure into one line on stderr and exit status 1. */
function runMain(who, main) {
  Promise.resolve()
    .then(main)
    .catch((err) => {
      console.error(`${who}: ${err && err.message ? err.message : String(err)}`);
      process.exit(1);
    });
}

module.exports = { epoch, options, manifest, stages, checkNoPath, writeOut, runMain, isaSpec, REPO, EXE, LINK };
