import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { FakeHttp, type ExpectedRequest } from '../support/fake-http';
import { ONCE_LOCK } from '../../src/engine/once';
import { runCli } from '../../src/cli/program';
import { configText, dyndnsStep, homeWorld, makeWorld, notifySection, quiesce, serviceSection, startDaemon, until } from './world';

/** The CLI commands in-process (runCli) against a daemon on the test broker. */

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

t.test('status, update, detect, log against the daemon', async (t) => {
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('home', w.fake.url), serviceSection('off', w.fake.url, { enabled: '0' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'good 203.0.113.7'));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'start-up update');
  await quiesce(daemon, clock);
  const sock = ['--socket', w.broker.socketPath];

  const st = await run(['status', ...sock]);
  t.equal(st.code, 0, st.err);
  t.match(st.out, /^ddnsd \d+\.\d+\.\d+, up /);
  t.match(st.out, /home: ok \(dyndns2, network on wan\)\n  detected: 203\.0\.113\.7\n  home\.example\.com A: ok, registered 203\.0\.113\.7/);
  t.match(st.out, /off: disabled/);
  const json = await run(['status', 'home', '--json', ...sock]);
  t.equal(JSON.parse(json.out).services.length, 1);
  const missing = await run(['status', 'nope', ...sock]);
  t.equal(missing.code, 1);
  t.match(missing.err, /no service named 'nope'/);

  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'nochg 203.0.113.7'));
  const forced = await run(['update', 'home', '--force', ...sock]);
  t.equal(forced.code, 0);
  t.equal(forced.out, 'queued: home (forced)\n');
  await until(() => w.fake.received.length === 2, 'the forced update');
  await quiesce(daemon, clock);
  const off = await run(['update', 'off', ...sock]);
  t.equal(off.code, 1);
  t.match(off.err, /off is not running \(disabled or invalid/);

  const det = await run(['detect', ...sock]);
  t.equal(det.code, 0, det.err);
  t.match(det.out, /home \(source network\):\n  IPv4: 203\.0\.113\.7\n    kept    203\.0\.113\.7 from network:wan/);
  const adhoc = await run(['detect', '--source', 'network', '--interface', 'wan', '--family', '4', '--json', ...sock]);
  t.equal(JSON.parse(adhoc.out).services[0].detections[0].address, '203.0.113.7');
  const badFamily = await run(['detect', '--family', '5', ...sock]);
  t.equal(badFamily.code, 2);
  const badSource = await run(['detect', '--source', 'carrier-pigeon', ...sock]);
  t.equal(badSource.code, 2, 'an unknown source is a bad command line');
  t.match(badSource.err, /unknown source 'carrier-pigeon' \(network, interface, web, dns, script\)/);

  const log = await run(['log', 'home', '-n', '5', ...sock]);
  t.equal(log.code, 0);
  const lines = log.out.trim().split('\n');
  t.ok(lines.length >= 1 && lines.length <= 5, `${lines.length} lines`);
  t.ok(lines.every((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (error|warn|info|debug): \[home\] /.test(l)), 'timestamped, scoped lines');
  t.equal((await run(['log', '-n', '0', ...sock])).code, 2);
  const huge = await run(['log', '-n', '99999999999', ...sock]);
  t.equal(huge.code, 0, `-n beyond int32 prints every line: ${huge.err}`);
  t.match(huge.out, /info: \[home\] home\.example\.com A set to 203\.0\.113\.7/);
  w.fake.assertDone(t);
});

t.test('run refuses a bad --log-level; update --once reports a missing config', async (t) => {
  const bad = await run(['run', '--log-level', 'loud']);
  t.equal(bad.code, 2);
  t.match(bad.err, /--log-level must be error, warn, info or debug, not 'loud'/);
  const once = await run(['update', '--once', '--config', '/nonexistent/ddnsd', '--state-dir', t.testdir()]);
  t.equal(once.code, 1);
  t.equal(once.out, '');
  t.match(once.err, /^cannot load \/nonexistent\/ddnsd: no such file\n$/, 'errors go to stderr');
});

t.test('update --once in-process: script source, verification off, one request; a rejected service fails', async (t) => {
  const w = await makeWorld(t, { netifd: false });
  w.writeConfig(configText([
    serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.78' }),
    serviceSection('bad', w.fake.url, { provider: 'nope' }),
  ]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.78', 'good 203.0.113.78'));
  const state = ['--state-dir', `${w.stateDir}/once`];
  const one = await run(['update', 'home', '--once', '--config', w.configPath, ...state]);
  t.equal(one.code, 0, one.out);
  t.match(one.out, /home: 1 update request\(s\)\n  home\.example\.com A: ok, detected 203\.0\.113\.78/);
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.78', 'nochg 203.0.113.78'));
  const all = await run(['update', '--once', '-c', w.configPath, '--force', ...state]);
  t.equal(all.code, 1, 'the rejected service makes it fail');
  t.match(all.err, /bad: skipped, unknown provider 'nope'/);
  t.match(all.out, /home: 1 update request/, 'forced: sent again although unchanged');
  const none = await run(['update', 'zzz', '--once', '--config', w.configPath, ...state]);
  t.equal(none.code, 1);
  t.match(none.err, /no service named 'zzz'/);
  w.writeConfig(configText([serviceSection('home', w.fake.url, { enabled: '0', ip_source: 'script', ip_script: '/bin/echo 203.0.113.78' })]));
  const off = await run(['update', '--once', '--config', w.configPath, ...state]);
  t.equal(off.code, 1, 'nothing enabled is not success');
  t.match(off.err, /no enabled service in .*; set option enabled '1', or name the service/);
  w.writeConfig("config service 'home'\n\toption ip_script '/bin/echo it's'\n");
  const broken = await run(['update', '--once', '--config', w.configPath, ...state]);
  t.equal(broken.code, 1);
  t.match(broken.err, /^cannot load .*: parse error .* \(the file is not valid UCI; nothing was loaded\)\n$/, 'not "no enabled service"');
  w.fake.assertDone(t);
});

t.test('update on a blocked service says so and sends nothing; under a provider wait it says until when', async (t) => {
  const w = await makeWorld(t);
  w.writeConfig(configText([serviceSection('home', w.fake.url), serviceSection('busy', w.fake.url), serviceSection('bad', w.fake.url, { ip_version: '7', retry_interval: 'soon' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'badauth'));
  w.fake.expect(dyndnsStep('busy.example.com', '203.0.113.7', '911'));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 2, 'start-up updates');
  await quiesce(daemon, clock);
  const sock = ['--socket', w.broker.socketPath];

  const blocked = await run(['update', 'home', '--force', ...sock]);
  t.equal(blocked.code, 1, 'nothing was queued');
  t.equal(blocked.out, '', 'no "queued" line');
  t.match(blocked.err, /^home is blocked until its configuration changes \(the provider refused it: see `ddnsd status home`\); nothing was sent\n$/);

  const all = await run(['update', ...sock]);
  t.equal(all.code, 0, all.err);
  t.match(all.out, /^queued: busy\nbusy: the provider asked ddnsd to wait after a failure; the check runs at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/);
  t.match(all.err, /home is blocked/);
  const bad = await run(['status', 'bad', ...sock]);
  t.match(bad.out, /\nbad: error\n  error: bad\.ip_version: '7' is not allowed; use 4, 6, both\n  error: bad\.retry_interval: 'soon' is not allowed; [^\n]*\n/, 'one problem a line');
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 2, 'neither update sent a request');
  w.fake.assertDone(t);
});

t.test('update --once keeps state between runs: the second run sends nothing; failures go to stderr without promising a retry', async (t) => {
  const w = await makeWorld(t, { netifd: false });
  const state = ['--state-dir', `${w.stateDir}/once`];
  w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.78' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.78', 'good 203.0.113.78'));
  const first = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(first.code, 0, first.err);
  t.match(first.out, /home: 1 update request\(s\)/);
  // Verification is off: without state this run sent the same update again (cron every 5 minutes: a ban).
  const second = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(second.code, 0, second.err);
  t.match(second.out, /home: 0 update request\(s\)\n  home\.example\.com A: ok, detected 203\.0\.113\.78, registered 203\.0\.113\.78: /);
  t.equal(w.fake.received.length, 1, 'one request in two runs');

  w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.79' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.79', '911'));
  const failed = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(failed.code, 1);
  t.equal(failed.out, '', 'nothing on stdout');
  t.match(failed.err, /home\.example\.com A: failed, detected 203\.0\.113\.79/);
  t.notMatch(failed.err, /retry|retrying|blocked/i, 'no schedule, so no promise of a retry');

  // 911 carries the provider's wait: the next run keeps it and sends nothing.
  const waiting = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(waiting.code, 1);
  t.match(waiting.err, /home: 0 update request\(s\)\n  home\.example\.com A: not sent, the provider asked to wait until \d{4}-/);

  w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.80' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.80', 'badauth'));
  const refused = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(refused.code, 1);
  t.match(refused.err, /home\.example\.com A: refused \(nothing more is sent until the configuration changes\)/);
  const again = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(again.code, 1);
  t.match(again.err, /^home: not sent: the provider refused it before \(.*badauth.*\); change its configuration to try again\n$/);
  t.equal(w.fake.received.length, 3, 'a refused record is not sent again by the next run');
  w.fake.assertDone(t);
});

t.test('update --once: two runs at once send one update; a lock left by a process that is gone is taken over', async (t) => {
  const w = await makeWorld(t, { netifd: false });
  const dir = `${w.stateDir}/once`;
  const state = ['--state-dir', dir];
  w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.81' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.81', 'good 203.0.113.81'));
  const both = await Promise.all([run(['update', '--once', '-c', w.configPath, ...state]), run(['update', '--once', '-c', w.configPath, ...state])]);
  const refused = both.filter((r) => r.code !== 0);
  t.equal(refused.length, 1, 'one of the two runs stands back');
  t.match(refused[0]?.err, /^another `ddnsd update --once`.* is running with the state in .*; nothing was sent/);
  t.equal(w.fake.received.length, 1, 'one request for two simultaneous runs');
  t.notOk(existsSync(join(dir, ONCE_LOCK)), 'the lock is gone after the run');

  // A lock whose process is gone (killed by cron's timeout, a power cut) is taken over.
  const gone = spawnSync('/bin/true').pid;
  writeFileSync(join(dir, ONCE_LOCK), `${gone}\n`);
  w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.82' })]));
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.82', 'good 203.0.113.82'));
  const stale = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(stale.code, 0, stale.err);
  t.match(stale.err, new RegExp(`a stale lock .* \\(pid ${gone} is gone\\) was removed`));
  // A live holder (this process stands in for a run that is still going): nothing is sent.
  writeFileSync(join(dir, ONCE_LOCK), `${process.pid}\n`);
  w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.83' })]));
  const held = await run(['update', '--once', '-c', w.configPath, ...state]);
  t.equal(held.code, 1);
  t.match(held.err, new RegExp(`another \`ddnsd update --once\` \\(pid ${process.pid}\\) is running`));
  t.equal(w.fake.received.length, 2, 'nothing sent while the lock is held');
  w.fake.assertDone(t);
});

t.test('update --once with ip_source network asks netifd over ubus; without ubus it names the sources that work', async (t) => {
  const w = await homeWorld(t);
  const ok = await run(['update', '--once', '-c', w.configPath, '--socket', w.broker.socketPath, '--state-dir', `${w.stateDir}/once`]);
  t.equal(ok.code, 0, ok.err);
  t.match(ok.out, /home\.example\.com A: ok, detected 203\.0\.113\.7/);
  const none = await run(['update', '--once', '-c', w.configPath, '--socket', `${w.dir}/nothing.sock`, '--state-dir', `${w.stateDir}/once2`]);
  t.equal(none.code, 1);
  t.match(none.err, /home: ip_source network asks netifd over ubus, which is not reachable at .*nothing\.sock .*; sources that work without ubus: interface, web, dns, script/);
  w.fake.assertDone(t);
});

t.test('detect with a source that needs no daemon works without one', async (t) => {
  const r = await run(['detect', '--source', 'interface', '--interface', 'lo', '--family', '4', '--socket', '/nonexistent/ubus.sock', '-c', '/nonexistent/ddnsd']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^\(interface lo\) \(source interface\):\n  IPv4: none.*\n    dropped 127\.0\.0\.1 from /);
  const net = await run(['detect', '--source', 'network', '--interface', 'wan', '--socket', '/nonexistent/ubus.sock']);
  t.equal(net.code, 3, 'source network needs the daemon');
});

t.test('ddnsd test SERVICE; update --force warns for providers that punish unchanged updates; one --socket and -c spelling', async (t) => {
  const w = await homeWorld(t);
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'start-up update');
  await quiesce(daemon, clock);
  const sock = ['--socket', w.broker.socketPath];

  const test = await run(['test', 'home', ...sock]);
  t.equal(test.code, 1, 'dyndns2 has no credential test');
  t.match(test.err, /^home: no credential test: .*cannot check credentials without changing records\n$/);
  t.equal((await run(['test', 'nope', ...sock])).code, 1);
  t.equal((await run(['test', '--socket', '/nonexistent/ubus.sock', 'home'])).code, 3);

  const plain = await run(['update', 'home', ...sock]);
  t.equal(plain.out, 'queued: home\n');
  t.equal(plain.err, '', 'a check sends nothing unchanged: no warning');
  await quiesce(daemon, clock);
  t.equal(w.fake.received.length, 1, 'Update now is a check: the unchanged address is not sent');

  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'nochg 203.0.113.7'));
  const forced = await run(['update', 'home', '--force', ...sock]);
  t.equal(forced.out, 'queued: home (forced)\n');
  t.match(forced.err, /^home: warning: dyndns2 .* counts an update that does not change the address as abuse/);
  await until(() => w.fake.received.length === 2, 'the forced update');
  await quiesce(daemon, clock);
  t.notMatch(w.lines.join('\n'), /forced, forced/);
  t.match(w.lines.join('\n'), /check \(manual, forced\)/);
  w.fake.assertDone(t);

  const helps = await Promise.all(['status', 'update', 'detect', 'log', 'test', 'run'].map((c) => run([c, '--help'])));
  for (const h of helps) t.match(h.out, /--socket <path>\s+ubus socket \(default: "\/var\/run\/ubus\/ubus\.sock"\)/);
  for (const c of ['update', 'detect', 'run', 'check']) t.match((await run([c, '--help'])).out, /-c, --config <file>\s+configuration file \(default: "\/etc\/config\/ddnsd"\)/, `${c} -c`);
});

t.test('test --notify: one test message, through the daemon when it runs, else straight from --config', async (t) => {
  const w = await homeWorld(t);
  const hook = await FakeHttp.start(t);
  const TOKEN = 'Hook-T0ken-never-printed';
  // Only blocked events pass the filter: the start-up update sends nothing here; the test message ignores filters.
  w.writeConfig(configText([serviceSection('home', w.fake.url), notifySection('hook', { type: 'webhook', url: `${hook.url}/hook`, token: TOKEN }, ['blocked'])]));
  const { daemon, clock } = await startDaemon(t, w);
  await until(() => w.fake.received.length === 1, 'start-up update');
  await quiesce(daemon, clock);
  const testBody = (host: string) => new RegExp(`^\\{"action":"test","service":"","domain":"","type":"","old":"","new":"","state":"","result":"","interface":"","time":"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z","host":"${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\}$`);
  const step = (host: string, reply?: ExpectedRequest['reply']): ExpectedRequest => ({
    method: 'POST', path: '/hook', auth: `Bearer ${TOKEN}`, headers: { 'content-type': 'application/json' }, body: testBody(host), reply,
  });
  const sock = ['--socket', w.broker.socketPath];

  hook.expect(step('router1'));
  const viaDaemon = await run(['test', '--notify', 'hook', ...sock]);
  t.equal(viaDaemon.code, 0, viaDaemon.err);
  t.equal(viaDaemon.out, 'notify hook: ok: the webhook answered 200\n');
  t.equal(viaDaemon.err, '', 'through the daemon: no note');
  const st = await run(['status', ...sock]);
  t.match(st.out, /\n\nnotify hook \(webhook\): last sent \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, 0 queued\n$/, 'status shows the notify section');
  const json = await run(['test', '--notify', 'nope', '--json', ...sock]);
  t.equal(json.code, 1);
  t.match(json.err, /ddnsd has no notify section named 'nope'/);

  const noDaemon = ['--socket', join(w.dir, 'nobody.sock'), '--config', w.configPath];
  hook.expect(step(hostname()));
  const direct = await run(['test', '--notify', 'hook', ...noDaemon]);
  t.equal(direct.code, 0, direct.err);
  t.equal(direct.out, 'notify hook: ok: the webhook answered 200\n');
  t.equal(direct.err, `ddnsd is not running; sending from this process with ${w.configPath}\n`);

  hook.expect(step(hostname(), { status: 401, body: `bad token ${TOKEN}` }));
  const refused = await run(['test', '--notify', 'hook', ...noDaemon]);
  t.equal(refused.code, 1);
  t.match(refused.err, /notify hook: failed: the webhook answered 401 unauthorized \(bad token \*\*\*\): check option token\n$/);
  const unknown = await run(['test', '--notify', 'nope', ...noDaemon]);
  t.equal(unknown.code, 1);
  t.match(unknown.err, new RegExp(`notify nope: failed: no notify section named 'nope' in ${w.configPath}`));

  t.equal((await run(['test'])).code, 2, 'neither a service nor --notify');
  t.equal((await run(['test', 'home', '--notify', 'hook'])).code, 2, 'both');
  const all = [viaDaemon, json, direct, refused, unknown].map((r) => r.out + r.err).join('\n') + w.lines.join('\n');
  t.notOk(all.includes(TOKEN), 'the token is never printed or logged');
  t.equal(hook.received.length, 3, 'one request per test, none for the start-up update (filtered out)');
  hook.assertDone(t);
  w.fake.assertDone(t);
});
