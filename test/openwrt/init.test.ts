// The procd init script, run by a stand-in rc.common whose procd.sh records every procd
// call: the daemon's command line, respawn, the config file procd watches, the reload
// signal, stdout/stderr to logd, and the reload trigger on config `ddnsd`.
import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, run } from '../support/openwrt/helpers';
import { buildProgram } from '../../src/cli/program';

const INIT = join(REPO, 'openwrt/files/ddnsd.init');
const RC = join(REPO, 'test/support/openwrt/rc.common');

const SERVICE = (script: string) => [
  `procd_open_service [ddnsd] [${script}]`,
  'procd_open_instance [ddnsd]',
  'procd_set_param [command] [/usr/bin/ddnsd] [run] [--config] [/etc/config/ddnsd]',
  'procd_set_param [file] [/etc/config/ddnsd]',
  'procd_set_param [reload_signal] [HUP]',
  'procd_set_param [respawn]',
  'procd_set_param [stdout] [1]',
  'procd_set_param [stderr] [1]',
  'procd_set_param [term_timeout] [10]',
  'procd_close_instance',
  'procd_open_trigger',
  'procd_add_reload_trigger [ddnsd]',
  'procd_close_trigger',
  'procd_close_service',
];

/** Runs the init script; `tz` replaces the router's /etc/TZ with a file of this test's (absent when undefined). */
function rc(dir: string, action: string, tz?: string) {
  const script = join(dir, 'init.d', 'ddnsd');
  mkdirSync(join(dir, 'init.d'), { recursive: true });
  const tzFile = join(dir, 'TZ');
  if (tz !== undefined) writeFileSync(tzFile, tz);
  writeFileSync(script, readFileSync(INIT, 'utf8').replaceAll('/etc/TZ', tzFile));
  const log = join(dir, `procd-${action}.log`);
  const r = run('sh', [RC, script, action], { env: { ...process.env, PROCD_LOG: log } });
  let lines: string[] = [];
  try {
    lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } catch {
    /* no call recorded */
  }
  return { ...r, lines, script };
}

t.test('the init script passes sh -n', async (t) => {
  const r = run('sh', ['-n', INIT]);
  t.equal(r.code, 0, r.stderr);
  t.match(readFileSync(INIT, 'utf8'), /^#!\/bin\/sh \/etc\/rc.common\n/, 'run through rc.common');
});

t.test('start sends the whole service definition to procd', async (t) => {
  const r = rc(t.testdir(), 'start');
  t.equal(r.code, 0, r.stderr);
  t.same(r.lines, SERVICE(r.script));
});

t.test("TZ from /etc/TZ: glibc reads the zone only from the environment", async (t) => {
  const r = rc(t.testdir(), 'start', 'CET-1CEST,M3.5.0,M10.5.0/3\n');
  t.equal(r.code, 0, r.stderr);
  const want = SERVICE(r.script);
  want.splice(want.indexOf('procd_close_instance'), 0, 'procd_set_param [env] [TZ=CET-1CEST,M3.5.0,M10.5.0/3]');
  t.same(r.lines, want);
  const empty = rc(t.testdir(), 'start', '');
  t.same(empty.lines, SERVICE(empty.script), 'an empty /etc/TZ sets nothing');
});

t.test('reload re-sends the definition: procd sees the changed config md5 and sends HUP', async (t) => {
  const r = rc(t.testdir(), 'reload');
  t.equal(r.code, 0, r.stderr);
  t.same(r.lines, SERVICE(r.script), 'no reload_service of its own: the file + reload_signal idiom');
});

t.test('stop asks procd to kill the instance', async (t) => {
  const r = rc(t.testdir(), 'stop');
  t.equal(r.code, 0, r.stderr);
  t.same(r.lines, ['procd_kill [ddnsd]']);
});

t.test('enable orders the service after the network (START=95, STOP=10)', async (t) => {
  const r = rc(t.testdir(), 'enable');
  t.equal(r.code, 0, r.stderr);
  t.same(r.lines, ['rc.common [enable] [S95] [K10]']);
});

t.test('the daemon accepts the command line the init script gives procd', async (t) => {
  const r = rc(t.testdir(), 'start');
  const line = r.lines.find((l) => l.startsWith('procd_set_param [command]'))!;
  const argv = [...line.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]).slice(1);
  t.equal(argv[0], '/usr/bin/ddnsd', 'the packaged path');
  const run = buildProgram().commands.find((c) => c.name() === argv[1]);
  t.ok(run, `ddnsd has a "${argv[1]}" command`);
  const longs = run!.options.map((o) => o.long);
  for (const a of argv.slice(2).filter((x) => x.startsWith('--'))) t.ok(longs.includes(a), `run takes ${a}`);
});
