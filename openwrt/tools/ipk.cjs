#!/usr/bin/env node
// OpenWrt .ipk packages (opkg, OpenWrt 24.10 and older) from the staging trees; see lib/pack.cjs.
//   node ipk.cjs --version V [--stage dist/stage] [--out dist] [--release 1]
'use strict';
const { main } = require('./lib/pack.cjs');
const { runMain } = require('./lib/inputs.cjs');

runMain('ipk', () => main(['ipk']));
