#!/usr/bin/env node
'use strict';
// Stand-in for `ddnsd import --from OLD --to NEW` (the real command is another engineer's
// work): records its argument vector in $DDNSD_RECORD (one JSON line per call), then
// behaves as the real one is specified to: every `config service NAME` of OLD not already
// in NEW is appended to NEW (existing services of the same name are skipped), written with
// write-then-rename. With DDNSD_FAIL=1 it fails with a message and changes nothing; with
// DDNSD_EXIT=4 or 5 it writes, then exits with that code as the real one does when services were
// imported disabled until fixed (4: only ones ddns-scripts did not run; 5: some it ran).
const fs = require('node:fs');

const args = process.argv.slice(2);
fs.appendFileSync(process.env.DDNSD_RECORD, JSON.stringify(args) + '\n');
if (process.env.DDNSD_FAIL === '1') {
  console.error('ddnsd: cannot read /etc/config/ddns: line 3: unterminated quote');
  process.exit(1);
}
const opt = (name) => args[args.indexOf(name) + 1];
if (args[0] !== 'import' || !opt('--from') || !opt('--to')) {
  console.error('ddnsd stand-in: only `import --from F --to T` is supported');
  process.exit(2);
}
const SERVICE = /^\s*config\s+["']?service["']?\s+["']?([A-Za-z0-9_]+)["']?\s*$/gm;
const names = (text) => [...text.matchAll(SERVICE)].map((m) => m[1]);
const from = fs.readFileSync(opt('--from'), 'utf8');
const to = fs.existsSync(opt('--to')) ? fs.readFileSync(opt('--to'), 'utf8') : '';
const have = new Set(names(to));
const added = names(from).filter((n) => !have.has(n));
const text = to + added.map((n) => `\nconfig service '${n}'\n\toption enabled '0'\n`).join('');
fs.writeFileSync(opt('--to') + '.tmp', text);
fs.renameSync(opt('--to') + '.tmp', opt('--to'));
console.log(`imported ${added.length} service(s)`);
if (process.env.DDNSD_EXIT) {
  console.log('wrote /etc/config/ddnsd: summary line');
  process.exit(Number(process.env.DDNSD_EXIT));
}
