#!/usr/bin/env node
// Bundles the CLI into one CommonJS file for the executable:
//   node bundle.cjs <entry.ts> <output.cjs>
// Same options as a plain `esbuild --bundle`, plus one rewrite: commander imports
// node:child_process at load time (for executable subcommands, which ddnsd does not use), and
// child_process drags dgram and a dozen internals into every `ddnsd --version`. Its import is
// pointed at a stand-in that loads the real module when spawn is first called.
// test/cli/modules.test.ts pins the builtin modules `--version` and `check` load.
'use strict';
const esbuild = require('esbuild');
const path = require('node:path');

const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$|^child_process$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)) return undefined;
      return { path: 'commander-child-process', namespace: 'lazy-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      loader: 'js',
      contents: "export default { spawn: (...args) => require('node:child_process').spawn(...args) };\n",
    }));
  },
};

async function main() {
  const [entry, outfile] = process.argv.slice(2);
  if (!entry || !outfile) {
    console.error('usage: bundle.cjs <entry.ts> <output.cjs>');
    process.exit(2);
  }
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [lazyChildProcess],
  });
}

main().catch((err) => {
  console.error(`bundle: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
