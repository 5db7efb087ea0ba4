import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../src/version';
import { runCli } from '../src/cli/program';

t.test('VERSION matches package.json', async (t) => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  t.equal(VERSION, pkg.version);
});

t.test('--version prints the version and exits 0', async (t) => {
  let out = '';
  const code = await runCli(['--version'], { out: (s) => (out += s), err: () => {} });
  t.equal(code, 0);
  t.equal(out.trim(), VERSION);
});

t.test('an unknown command exits 2', async (t) => {
  let err = '';
  const code = await runCli(['no-such-command'], { out: () => {}, err: (s) => (err += s) });
  t.equal(code, 2);
  t.match(err, /unknown command/);
});

t.test('no command prints help to stderr and exits 2; help and --help exit 0', async (t) => {
  let err = '';
  t.equal(await runCli([], { out: () => {}, err: (s) => (err += s) }), 2);
  t.match(err, /Usage: ddnsd/);
  let out = '';
  t.equal(await runCli(['--help'], { out: (s) => (out += s), err: () => {} }), 0);
  t.match(out, /Exit codes:/);
  t.equal(await runCli(['help', 'status'], { out: () => {}, err: () => {} }), 0);
});
