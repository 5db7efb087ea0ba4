#!/usr/bin/env node
// apk-tools v3 packages (OpenWrt 25.12 and later) from the staging trees, written natively
// (no apk binary needed); see lib/apk.cjs and lib/pack.cjs.
//   node apk.cjs --version V [--stage dist/stage] [--out dist] [--release 1]
'use strict';
const { main } = require('./lib/pack.cjs');
const { runMain } = require('./lib/inputs.cjs');

runMain('apk', () => main(['apk']));
