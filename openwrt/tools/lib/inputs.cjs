'use strict';
// Inputs both packers share: the fixed timestamp and which executables exist.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ISAS } = require('./arches.cjs');

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

/**
 * [{ isa, file }] for each ISA that has an executable: <releaseDir>/ddnsd-<isa> from
 * `make release`, or for x86_64 the host build given as opts.exe.
 */
function executables(opts, who) {
  const found = [];
  for (const { isa } of ISAS) {
    const released = path.join(opts.releaseDir, `ddnsd-${isa}`);
    if (fs.existsSync(released)) found.push({ isa, file: released });
    else if (isa === 'x86_64' && opts.exe) found.push({ isa, file: opts.exe });
    else console.log(`${who}: no ${isa} executable (${released}); its packages need \`make release\``);
  }
  return found;
}

module.exports = { epoch, executables, REPO };
