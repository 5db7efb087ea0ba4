import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { FakeHttp, type ExpectedRequest } from '../support/fake-http';
import { UbusClient } from '../../src/ubus';
import { startBind } from '../support/bind';
import { configText, dyndnsStep, homeWorld, makeWorld, notifySection, PASSWORD, serviceSection, until, USER } from './world';
import { cli, daemonUp, EXE, runDaemon, statusOf } from './exe-run';
import { missingReal } from '../support/real';

/**
 * The real executable (`make dist/ddnsd`) on the test broker, with a fake netifd and a fake
 * dyndns2 server. The daemon runs on the system clock here, so these scenarios need no time
 * to pass: ifup → one request, status, reload, restart, SIGTERM, update --once.
 */

type Svc = { name: string; state: string; records: { registered: string; last_check: number; verified: boolean; state: string }[] };
const services = (st: Record<string, unknown>) => st.services as Svc[];

t.test('dist/ddnsd', async (t) => {
  if (!existsSync(EXE)) return missingReal(t, 'dist/ddnsd is not built (make dist/ddnsd; make test builds it)');
  t.test('not running: status, update, log and detect exit 3', async (t) => {
    for (const cmd of [['status'], ['update'], ['log'], ['detect']]) {
      const r = await cli([...cmd, '--socket', '/nonexistent/ubus.sock']);
      t.equal(r.code, 3, `${cmd[0]} exits 3`);
      t.match(r.err, /ddnsd is not running/);
    }
  });

  t.test('ifup → one request; status; reload (SIGHUP); SIGTERM; restart with state', async (t) => {
    const w = await homeWorld(t);
    const d = runDaemon(t, w);
    await daemonUp(w);
    await until(() => w.fake.received.length === 1, 'the start-up update', 20_000);

    w.netifd.setAddress('wan', '198.51.100.23');
    w.fake.expect(dyndnsStep('home.example.com', '198.51.100.23', 'good 198.51.100.23'));
    await Promise.all(Array.from({ length: 20 }, () => w.netifd.announce('wan')));
    await until(() => w.fake.received.length === 2, 'the update after the burst', 20_000);
    // Every event has been handled once a check that started after the last one is over;
    // a hotplug notify (answered at once) followed by status polling shows when that is.
    const c0 = await UbusClient.connect({ socketPath: w.broker.socketPath });
    await c0.call('ddnsd', 'notify', { interface: 'wan', action: 'ifupdate' });
    c0.close();
    let st = await statusOf(w);
    for (let i = 0; i < 200 && services(st)[0].records[0].state !== 'ok'; i++) st = await statusOf(w);
    await statusOf(w);
    t.equal(w.fake.received.length, 2, '20 ifupdate events with a new address: exactly one request carrying it');

    t.strictSame(Object.keys(st).sort(), ['errors', 'notify', 'services', 'uptime', 'version']);
    const svc = services(st)[0] as unknown as Record<string, unknown>;
    t.strictSame(Object.keys(svc).sort(), ['active_interface', 'active_reason', 'detected', 'enabled', 'error', 'interface', 'interfaces', 'last_check', 'name', 'next_check', 'provider', 'records', 'source', 'state', 'wans', 'warnings']);
    t.match(svc, { name: 'home', state: 'ok', provider: 'dyndns2', detected: { ipv4: '198.51.100.23' } });
    t.match((svc.records as unknown[])[0], { name: 'home.example.com', type: 'A', registered: '198.51.100.23', state: 'ok' });
    const human = await cli(['status', '--socket', w.broker.socketPath]);
    t.equal(human.code, 0);
    t.match(human.out, /home: ok \(dyndns2, network on wan\)/);
    t.match(human.out, /home\.example\.com A: ok, registered 198\.51\.100\.23/);

    // Reload by SIGHUP: home unchanged (no request), office added (one request).
    w.writeConfig(configText([serviceSection('home', w.fake.url), serviceSection('office', w.fake.url)]));
    w.fake.expect(dyndnsStep('office.example.com', '198.51.100.23', 'good 198.51.100.23'));
    d.child.kill('SIGHUP');
    await until(() => w.fake.received.length === 3, 'office updated after SIGHUP', 20_000);
    st = await statusOf(w);
    t.same(services(st).map((s) => s.name), ['home', 'office']);
    t.equal(w.fake.received.length, 3, 'home kept its state: nothing resent');

    // Reload over ubus with office broken: its error in status; home keeps updating.
    w.writeConfig(configText([serviceSection('home', w.fake.url), serviceSection('office', w.fake.url, { ip_version: '7' })]));
    const upd = await cli(['update', 'home', '--socket', w.broker.socketPath]);
    t.equal(upd.code, 0);
    t.match(upd.out, /queued: home/);
    const c = await UbusClient.connect({ socketPath: w.broker.socketPath });
    t.teardown(() => c.close());
    const reload = await c.call('ddnsd', 'reload', {});
    t.match(reload, { ok: true, unchanged: ['home'], rejected: [{ name: 'office' }] });
    st = await statusOf(w);
    const office = services(st).find((s) => s.name === 'office') as unknown as Record<string, unknown>;
    t.equal(office.state, 'error');
    t.match(office.error, /ip_version/);
    w.netifd.setAddress('wan', '198.51.100.24');
    w.fake.expect(dyndnsStep('home.example.com', '198.51.100.24', 'good 198.51.100.24'));
    await w.netifd.announce('wan');
    await until(() => w.fake.received.length === 4, 'home updating after the broken reload', 20_000);

    const log = await cli(['log', '--lines', '500', '--socket', w.broker.socketPath]);
    t.equal(log.code, 0);
    t.match(log.out, /\[home\] .*set to 198\.51\.100\.24/);
    const det = await cli(['detect', 'home', '--socket', w.broker.socketPath]);
    t.equal(det.code, 0);
    t.match(det.out, /IPv4: 198\.51\.100\.24/);

    d.child.kill('SIGUSR1');
    await until(() => d.output().includes('SIGUSR1 ignored'), 'SIGUSR1 noted', 20_000);
    t.notMatch(d.output(), /Debugger listening/, 'SIGUSR1 opens no debugger');
    d.child.kill('SIGTERM');
    t.equal(await d.exited, 0, 'SIGTERM: clean exit 0');
    const state = JSON.parse(readFileSync(join(w.stateDir, 'state.json'), 'utf8'));
    t.equal(state.services.home.records[0].registered, '198.51.100.24', 'state flushed');

    // Restart with state: zero requests.
    const d2 = runDaemon(t, w);
    await daemonUp(w);
    st = await statusOf(w);
    for (let i = 0; i < 200 && services(st)[0].records[0].last_check === 0; i++) st = await statusOf(w);
    t.ok(services(st)[0].records[0].last_check > 0, 'the start-up check ran');
    t.equal(w.fake.received.length, 4, 'restart with state: zero requests');

    const all = d.output() + d2.output() + human.out + log.out + det.out + JSON.stringify(st) + JSON.stringify(reload);
    t.notOk(all.includes(PASSWORD), 'the password is in no output, log line or reply');
    t.notOk(all.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'nor its Basic-auth form');
    d2.child.kill('SIGTERM');
    t.equal(await d2.exited, 0);
    w.fake.assertDone(t);
  });

  t.test('notify: the executable posts each update to ntfy; test --notify through it and without it', async (t) => {
    const w = await homeWorld(t);
    const ntfy = await FakeHttp.start(t);
    const TOKEN = 'tk_exeNotifyT0ken';
    w.writeConfig(configText([serviceSection('home', w.fake.url), notifySection('phone', { type: 'ntfy', url: `${ntfy.url}/ddns-topic`, token: TOKEN, priority: '2' })]));
    const title = (what: string) => `ddnsd on ${hostname()}: ${what}`;
    const step = (what: string, tags: string, body: RegExp | string): ExpectedRequest => ({
      method: 'POST', path: '/ddns-topic', auth: `Bearer ${TOKEN}`,
      headers: { title: title(what), tags: `ddnsd,${tags}`, priority: '2' }, body, reply: { body: { id: 'm1', event: 'message' } },
    });
    ntfy.expect(step('home.example.com (A) updated', 'arrows_counterclockwise', 'home.example.com (A) now points to 203.0.113.7 (was unknown). Service home, interface wan.'));
    const d = runDaemon(t, w);
    await daemonUp(w);
    await until(() => ntfy.received.length === 1, 'the notification of the start-up update', 20_000);
    ntfy.expect(step('test notification', 'bell', 'Test notification from ddnsd (notify section phone): notifications reach you.'));
    const viaDaemon = await cli(['test', '--notify', 'phone', '--socket', w.broker.socketPath]);
    t.same([viaDaemon.code, viaDaemon.out], [0, 'notify phone: ok: ntfy answered 200\n'], viaDaemon.err);
    const st = await statusOf(w);
    t.match((st.notify as unknown[])[0], { name: 'phone', type: 'ntfy', enabled: true, last_error: '', queued: 0 });
    ntfy.expect(step('test notification', 'bell', /notifications reach you/));
    const direct = await cli(['test', '--notify', 'phone', '--config', w.configPath, '--socket', join(w.dir, 'nobody.sock')]);
    t.same([direct.code, direct.out], [0, 'notify phone: ok: ntfy answered 200\n'], direct.err);
    ntfy.assertDone(t);
    t.notOk([d.output(), JSON.stringify(st), viaDaemon.out, viaDaemon.err, direct.out, direct.err].join('\n').includes(TOKEN), 'the token is in no log line, reply or output');
  });

  t.test('a second daemon on the same bus exits 1 with a clear message', async (t) => {
    const w = await homeWorld(t);
    const first = runDaemon(t, w);
    await daemonUp(w);
    await until(() => w.fake.received.length === 1, 'the first daemon\'s update', 20_000);
    const second = runDaemon(t, w);
    t.equal(await second.exited, 1);
    t.match(second.output(), /cannot publish the ddnsd object on ubus .*is another ddnsd running\?/);
    t.notMatch(second.output(), /\n\s+at /, 'no stack trace');
    first.child.kill('SIGTERM');
    t.equal(await first.exited, 0);
    w.fake.assertDone(t);
  });

  t.test('update --once: a script source, no daemon, no ubus', async (t) => {
    const w = await makeWorld(t, { netifd: false });
    w.writeConfig(configText([serviceSection('home', w.fake.url, { ip_source: 'script', ip_script: '/bin/echo 203.0.113.77' })]));
    w.fake.expect(dyndnsStep('home.example.com', '203.0.113.77', 'good 203.0.113.77'));
    const r = await cli(['update', '--once', '--config', w.configPath, '--state-dir', `${w.stateDir}/once`]);
    t.equal(r.code, 0, r.out + r.err);
    t.match(r.out, /home: 1 update request/);
    t.match(r.out, /home\.example\.com A: ok, detected 203\.0\.113\.77, registered 203\.0\.113\.77/);
    t.notOk((r.out + r.err).includes(PASSWORD));

    w.writeConfig(configText([serviceSection('home', w.fake.url)]));
    const net = await cli(['update', '--once', '--config', w.configPath, '--state-dir', `${w.stateDir}/once`, '--socket', `${w.dir}/none.sock`]);
    t.equal(net.code, 1, 'a network source cannot work without ubus');
    t.match(net.err, /ip_source network asks netifd over ubus, which is not reachable .*sources that work without ubus: interface, web, dns, script/);
    w.fake.assertDone(t);
  });

  const noBind = 'named (BIND 9) is not installed (.ci/run installs bind9)';
  t.test('without state and DNS already right (real BIND): a verification, no update', async (t) => {
    const bind = await startBind();
    if (!bind) return missingReal(t, noBind);
    t.teardown(() => bind.stop());
    const w = await makeWorld(t);
    w.netifd.setAddress('wan', '192.0.2.1'); // what the zone already holds for old.example.test
    w.writeConfig(configText([serviceSection('home', w.fake.url, { verify: '1', dns_server: `127.0.0.1:${bind.port}` }, [`old.${bind.zone}`])]));
    const d = runDaemon(t, w);
    await daemonUp(w);
    let st = await statusOf(w);
    for (let i = 0; i < 200 && services(st)[0].records[0].last_check === 0; i++) st = await statusOf(w);
    t.match(services(st)[0].records[0], { registered: '192.0.2.1', verified: true, state: 'ok' });
    t.equal(w.fake.received.length, 0, 'no update request');
    d.child.kill('SIGTERM');
    await d.exited;
    w.fake.assertDone(t);
  });
  t.test('RFC 2136 with a real BIND: update, verify, restart without state sends nothing', async (t) => {
    const bind = await startBind();
    if (!bind) return missingReal(t, noBind);
    t.teardown(() => bind.stop());
    const w = await makeWorld(t);
    w.netifd.setAddress('wan', '203.0.113.90');
    const key = bind.keys.sha256;
    const section = [
      `config service 'bind'`,
      `\toption enabled '1'`,
      `\toption provider 'rfc2136'`,
      `\toption server '127.0.0.1:${bind.port}'`,
      `\toption zone '${bind.zone}'`,
      `\toption key_name '${key.name}'`,
      `\toption key_algorithm '${key.algorithm}'`,
      `\toption key_secret '${key.secret}'`,
      `\toption dns_server '127.0.0.1:${bind.port}'`,
      `\tlist domain 'home.${bind.zone}'`,
      '',
    ].join('\n');
    w.writeConfig(configText([section]));
    const d = runDaemon(t, w);
    await daemonUp(w);
    let st = await statusOf(w);
    for (let i = 0; i < 300 && !services(st)[0].records[0].verified; i++) st = await statusOf(w);
    t.match(services(st)[0].records[0], { registered: '203.0.113.90', verified: true, state: 'ok' }, 'updated and verified in BIND');
    d.child.kill('SIGTERM');
    t.equal(await d.exited, 0);

    // As after a reboot: no state. The daemon asks BIND first and sends nothing.
    w.stateDir = join(w.dir, 'state-after-reboot');
    const d2 = runDaemon(t, w);
    await daemonUp(w);
    st = await statusOf(w);
    for (let i = 0; i < 300 && !services(st)[0].records[0].verified; i++) st = await statusOf(w);
    t.match(services(st)[0].records[0], { registered: '203.0.113.90', verified: true, state: 'ok' });
    t.match(d2.output(), /home\.example\.test A already has 203\.0\.113\.90 \(verified\), nothing to send/);
    t.notMatch(d2.output(), /updating home/, 'no update sent');
    d2.child.kill('SIGTERM');
    t.equal(await d2.exited, 0);
    t.notOk((d.output() + d2.output() + JSON.stringify(st)).includes(key.secret), 'the TSIG secret is in no output');
  });
});
