'use strict';
// What both packers (ipk.cjs, apk.cjs) share: the command line, the fixed timestamp, the
// executables to pack, and how a failure is reported.

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { execFileSync } = require('node:child_process');
const { ISAS, checkExecutable, staticWarning } = require('./arches.cjs');

const REPO = path.resolve(__dirname, '..', '..', '..');

/** SOURCE_DATE_EPOCH, or the time of the last commit. */
function epoch() {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^[0-9]+$/.test(env)) throw new Error(`SOURCE_DATE_EPOCH must be a number of seconds, got "${env}"`);
    return Number(env);
  }
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8' }).trim());
  } catch {
    throw new Error('no SOURCE_DATE_EPOCH and no git history to take a fixed time from; set SOURCE_DATE_EPOCH');
  }
}

/** --version V --exe FILE --out DIR [--release N] [--release-dir DIR], plus `extra` options. */
function options(extra = {}) {
  const { values } = parseArgs({
    options: {
      version: { type: 'string' },
      release: { type: 'string', default: '1' },
      exe: { type: 'string' },
      out: { type: 'string', default: 'dist' },
      'release-dir': { type: 'string' },
      ...extra,
    },
  });
  if (!values.version || !/^[0-9][0-9A-Za-z.]*$/.test(values.version)) {
    throw new Error('--version is required: the package version, e.g. 0.1.0');
  }
  if (!/^[0-9]+$/.test(values.release)) throw new Error(`--release must be a number, got "${values.release}"`);
  return { ...values, releaseDir: values['release-dir'] || path.join(values.out, 'release') };
}

/**
 * [{ isa, file, exe, arches }] for each ISA that has an executable: <releaseDir>/ddnsd-<isa>
 * from `make release`, or for x86_64 the host build given as opts.exe. Each is checked to be
 * an ELF file for its ISA; a dynamically linked one (OpenWrt cannot run it) gets a warning.
 */
function executables(opts, who) {
  const found = [];
  for (const { isa, arches } of ISAS) {
    const released = path.join(opts.releaseDir, `ddnsd-${isa}`);
    const file = fs.existsSync(released) ? released : isa === 'x86_64' && opts.exe ? opts.exe : undefined;
    if (!file) {
      console.log(`${who}: no ${isa} executable (${released}); its packages need \`make release\``);
      continue;
    }
    const exe = fs.readFileSync(file);
    checkExecutable(exe, isa, file);
    const warning = staticWarning(exe, file);
    if (warning) console.warn(`${who}: warning: ${warning}`);
    found.push({ isa, file, exe, arches });
  }
  return found;
}

/** Run a packer's main, turning any failure into one line on stderr and exit status 1. */
function runMain(who, main) {
  try {
    main();
  } catch (err) {
    const stderr = err && err.stderr && err.stderr.length ? `: ${String(err.stderr).trim()}` : '';
    console.error(`${who}: ${err && err.message ? err.message : String(err)}${stderr}`);
    process.exit(1);
  }
}

module.exports = { epoch, executables, options, runMain, REPO };
