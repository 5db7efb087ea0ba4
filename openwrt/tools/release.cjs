#!/usr/bin/env node
// Router executables with pkg's `linuxstatic` targets (x86_64, aarch64, armv7).
// pkg downloads the matching static Node base binaries, so this needs general network
// access; offline it stops with a message that says so.
//   node release.cjs <bundle.cjs> <outdir>
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const TARGETS = [
  { target: 'node22-linuxstatic-x64', file: 'ddnsd-x86_64' },
  { target: 'node22-linuxstatic-arm64', file: 'ddnsd-aarch64' },
  { target: 'node22-linuxstatic-armv7', file: 'ddnsd-armv7' },
];

async function main() {
  const [input, outdir] = process.argv.slice(2);
  if (!input || !outdir) {
    console.error('usage: release.cjs <bundle.cjs> <outdir>');
    process.exit(2);
  }
  fs.mkdirSync(outdir, { recursive: true });
  const { exec } = require('@yao-pkg/pkg');
  for (const { target, file } of TARGETS) {
    const out = path.join(outdir, file);
    console.log(`release: building ${out} (${target})`);
    try {
      await exec([input, '--target', target, '--output', out, '--no-bytecode', '--public', '--public-packages', '*']);
    } catch (err) {
      const msg = err && err.message ? err.message : String(err);
      // Offline, pkg's download fails and it falls back to building Node from source, which it
      // cannot do for linuxstatic: both mean the base binary could not be had.
      if (/Not able to build|fetch|download|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network|getaddrinfo|socket/i.test(msg)) {
        console.error(
          `release: pkg could not download the base binary for ${target}.\n` +
            'release: router builds need a machine with general network access (pkg fetches static Node\n' +
            'release: binaries from GitHub, or uses a pre-seeded cache in $PKG_CACHE_PATH). Run `make release`\n' +
            'release: there; `make` builds the host executable offline.\n' +
            `release: pkg said: ${msg.split('\n')[0]}`,
        );
      } else {
        console.error(`release: ${target} failed: ${msg}`);
      }
      process.exit(1);
    }
  }
}

main();
