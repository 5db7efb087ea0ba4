import t from 'tap';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UbusClient } from '../../src/ubus';
import { configText, dyndnsStep, makeWorld, PASSWORD, quiesce, serviceSection, startDaemon, until } from './world';

/**
 * Change hooks end to end: the daemon in-process on the test broker, a listener on the broker
 * as `ubus listen ddnsd.record` would be, and real executables in a hotplug.d/ddnsd directory.
 * The hooks' timeout runs on the fake clock: a hook that sleeps forever is killed when the test
 * moves time past it, while updates go on meanwhile.
 */

const FIELDS = ['action', 'service', 'domain', 'type', 'old', 'new', 'state', 'result', 'interface'];

t.test('ubus event, hook environment, a hanging hook killed at its timeout, no secret anywhere', async (t) => {
  const w = await makeWorld(t);
  const hooks = join(w.dir, 'hotplug.d');
  const out = join(w.dir, 'hook-out');
  mkdirSync(hooks);
  mkdirSync(out);
  // 10-env: the environment it got, one file per run. 20-hang: never ends (a loop of sleeps: killing only the shell would leave its child holding the output pipe).
  writeFileSync(join(hooks, '10-env'), `#!/bin/sh\nn=$(ls ${out} | grep -c '^env')\nenv -0 > ${out}/env.$n\necho "saw $ACTION $DOMAIN"\n`);
  writeFileSync(join(hooks, '20-hang'), `#!/bin/sh\necho "started $ACTION" > ${out}/hang.$$\nwhile :; do sleep 1; done\n`);
  writeFileSync(join(hooks, '05-not-executable'), `#!/bin/sh\ntouch ${out}/must-not-run\n`);
  chmodSync(join(hooks, '10-env'), 0o755);
  chmodSync(join(hooks, '20-hang'), 0o755);

  const listener = await UbusClient.connect({ socketPath: w.broker.socketPath });
  t.teardown(() => listener.close());
  const events: Record<string, unknown>[] = [];
  await listener.listen('ddnsd.record', (_type, data) => events.push(data));

  w.writeConfig(configText([serviceSection('home', w.fake.url)]));
  // The provider echoes the password in its answer: it must not reach an event, a hook or the log.
  w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', `good 203.0.113.7 ${PASSWORD}`));
  const { daemon, clock } = await startDaemon(t, w, { hooksDir: hooks });
  await until(() => events.length === 1, 'the ddnsd.record event');
  await quiesce(daemon, clock);
  t.same(Object.keys(events[0]).sort(), [...FIELDS].sort(), 'every field');
  t.match(events[0], {
    action: 'update', service: 'home', domain: 'home.example.com', type: 'A', old: '', new: '203.0.113.7', state: 'ok', interface: 'wan',
    result: /good 203\.0\.113\.7/,
  });
  await until(() => w.lines.some((l) => /hook .*10-env: saw update home\.example\.com/.test(l)), 'the first hook to finish (its output in the log)');
  const env = Object.fromEntries(readFileSync(join(out, 'env.0'), 'utf8').split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  t.match(env, {
    ACTION: 'update', SERVICE: 'home', DOMAIN: 'home.example.com', TYPE: 'A', OLD_ADDRESS: '', NEW_ADDRESS: '203.0.113.7',
    INTERFACE: 'wan', RESULT: /good 203\.0\.113\.7/, STATE: 'ok', HOTPLUG_TYPE: 'ddnsd',
  });
  // The shell adds PWD, SHLVL and _; tap's process-info hook adds NODE_OPTIONS and _TAPJS_* to every child it sees spawned.
  const ours = Object.keys(env).filter((k) => !['PWD', 'SHLVL', '_', 'OLDPWD', 'NODE_OPTIONS'].includes(k) && !k.startsWith('_TAPJS_')).sort();
  t.same(ours, ['ACTION', 'DOMAIN', 'HOTPLUG_TYPE', 'INTERFACE', 'NEW_ADDRESS', 'OLD_ADDRESS', 'PATH', 'RESULT', 'SERVICE', 'STATE', 'TYPE'], 'nothing of the daemon\'s own environment');
  t.ok(w.lines.some((l) => /05-not-executable is not executable; skipped/.test(l)));
  t.notOk(existsSync(join(out, 'must-not-run')));

  // 20-hang is running now. An address change is still sent at once.
  await until(() => w.lines.length > 0 && readdirCount(out, 'hang.') === 1, 'the hanging hook to start');
  w.netifd.setAddress('wan', '198.51.100.23');
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.23', 'good 198.51.100.23'));
  await w.netifd.announce('wan');
  await until(() => w.fake.received.length === 2 && events.length === 2, 'the second update while a hook hangs').catch((e) => {
    console.error(w.lines.join('\n'));
    throw e;
  });
  await quiesce(daemon, clock);
  t.match(events[1], { action: 'update', old: '203.0.113.7', new: '198.51.100.23' });
  t.equal(readdirCount(out, 'env.'), 1, 'the second event waits for the hooks of the first');

  await clock.advance(10_000);
  await until(() => w.lines.some((l) => /20-hang was killed after 10 s/.test(l)), 'the kill at the timeout');
  await until(() => w.lines.filter((l) => /10-env: saw update/.test(l)).length === 2, 'the hooks of the second event');
  const env2 = readFileSync(join(out, 'env.1'), 'utf8');
  t.ok(env2.split('\0').includes('OLD_ADDRESS=203.0.113.7') && env2.split('\0').includes('NEW_ADDRESS=198.51.100.23'), 'the second run sees the second change');
  await until(() => readdirCount(out, 'hang.') === 2, 'the second run of the hanging hook');
  await clock.advance(10_000);
  await until(() => w.lines.filter((l) => /20-hang was killed/.test(l)).length === 2, 'the second kill');
  await daemon.hooks.idle();
  rmSync(join(hooks, '20-hang'));

  // Blocked, then unblocked by a changed configuration.
  w.netifd.setAddress('wan', '198.51.100.24');
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.24', `badauth ${PASSWORD}`));
  await w.netifd.announce('wan');
  await until(() => events.length === 3, 'the blocked event');
  t.match(events[2], { action: 'blocked', state: 'blocked', old: '198.51.100.23', new: '198.51.100.23', result: /badauth/ });
  w.writeConfig(configText([serviceSection('home', w.fake.url, { retry_interval: '2m' })]));
  w.fake.expect(dyndnsStep('home.example.com', '198.51.100.24', 'good 198.51.100.24'));
  await daemon.reload();
  await until(() => events.length === 5, 'unblocked, then the update');
  t.match(events[3], { action: 'unblocked', state: 'pending', domain: 'home.example.com' });
  t.match(events[4], { action: 'update', new: '198.51.100.24' });
  await quiesce(daemon, clock);
  await daemon.hooks.idle();
  t.equal(readdirCount(out, 'env.'), 5, 'the hooks ran once per event');

  const everything = JSON.stringify(events) + readdirText(out) + w.lines.join('\n');
  t.notOk(everything.includes(PASSWORD), 'no secret in an event, a hook environment or the log');
  t.ok(JSON.stringify(events).includes('***'), 'the echoed password was masked');
  w.fake.assertDone(t);
});

function readdirCount(dir: string, prefix: string): number {
  return readdirSync(dir).filter((f) => f.startsWith(prefix)).length;
}

function readdirText(dir: string): string {
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}
