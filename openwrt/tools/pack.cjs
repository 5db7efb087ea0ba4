#!/usr/bin/env node
// Both package formats in one run (what `make packages` runs): each ISA's data tree is read
// once and compressed for .ipk and .apk at the same time; see lib/pack.cjs.
//   node pack.cjs --version V [--stage dist/stage] [--out dist] [--release 1]
'use strict';
const { main } = require('./lib/pack.cjs');
const { runMain } = require('./lib/inputs.cjs');

runMain('packages', () => main(['ipk', 'apk']));
