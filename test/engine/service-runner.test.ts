import t from 'tap';
import { ServiceRunner, trigger } from '../../src/engine/service-runner';
import { reconcileState } from '../../src/engine/records';
import { FakeSource, makeDeps, makeService } from './helpers';
import type { ServiceConfig } from '../../src/config/types';

function setup(over: Partial<ServiceConfig> = {}, source?: FakeSource) {
  const env = makeDeps(source ? { source } : {});
  const service = makeService(over);
  const state = reconcileState(service, undefined);
  const runner = new ServiceRunner(service, state, env.deps);
  return { ...env, source: (source ?? env.source) as FakeSource, service, state, runner };
}

t.test('one event with a new address sends exactly one request carrying it', async (t) => {
  const { runner, provider, clock } = setup();
  runner.trigger(trigger('event', 'ifup wan'));
  await runner.idle();
  await clock.advance(1);
  t.equal(provider.calls.length, 1);
  t.same(provider.calls[0], [{ record: { name: 'home.example.com', type: 'A' }, address: '203.0.113.7' }]);
  t.equal(runner.state.records[0].registered, '203.0.113.7');
  t.equal(runner.state.records[0].state, 'ok');
});

t.test('the first event of a burst acts at once; 20 events collapse into one re-check', async (t) => {
  const { runner, provider, source, clock } = setup();
  let open!: () => void;
  source.gate = new Promise((r) => (open = r));
  runner.trigger(trigger('event', 'ifupdate wan'));
  t.equal(source.calls, 1, 'the source was asked synchronously, with no debounce delay');
  for (let i = 0; i < 19; i++) {
    await clock.advance(5);
    runner.trigger(trigger('event', 'ifupdate wan'));
  }
  open();
  source.gate = undefined;
  await runner.idle();
  t.equal(provider.calls.length, 1, 'one update request');
  t.equal(source.calls, 2, 'the first check plus one collapsed re-check');
  runner.trigger(trigger('event', 'ifupdate wan'));
  await runner.idle();
  t.equal(provider.calls.length, 1, 'an event with the same address sends nothing');
});

t.test('an hour with no event and a network source: no request, no timer', async (t) => {
  const { runner, provider, source, clock } = setup();
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  const before = source.calls;
  await clock.advance(3600_000);
  t.equal(provider.calls.length, 1, 'only the first update');
  t.equal(source.calls, before, 'no polling');
  t.equal(clock.pendingCount, 0);
  t.equal(runner.nextCheck, undefined);
});

t.test('a web source is re-checked every check_interval, sending nothing while unchanged', async (t) => {
  const { runner, provider, source, clock } = setup({ source: 'web' }, new FakeSource('web'));
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  await clock.advance(3600_000);
  t.equal(source.calls, 7, 'start + 6 safety checks in an hour');
  t.equal(provider.calls.length, 1);
  source.addresses[4] = '198.51.100.9';
  await clock.advance(600_000);
  t.equal(provider.calls.length, 2, 'a changed address is sent at the next safety check');
  t.equal(provider.calls[1][0].address, '198.51.100.9');
});

t.test('a new address on a later event sends one more request', async (t) => {
  const { runner, provider, source } = setup();
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  source.addresses[4] = '198.51.100.20';
  runner.trigger(trigger('event', 'ifup wan'));
  await runner.idle();
  t.equal(provider.calls.length, 2);
  t.equal(provider.calls[1][0].address, '198.51.100.20');
  t.ok(runner.state.records[0].lastChange !== undefined);
});

t.test('badauth blocks the service until its configuration changes', async (t) => {
  const env = setup();
  const { runner, provider, source, clock } = env;
  provider.script.push({ outcome: 'auth', message: 'badauth' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  t.equal(runner.state.records[0].state, 'blocked');
  const calls = source.calls;
  source.addresses[4] = '198.51.100.1';
  for (let i = 0; i < 5; i++) {
    runner.trigger(trigger('event', 'ifup wan'));
    runner.trigger(trigger('manual', 'manual', true));
    await runner.idle();
    await clock.advance(3600_000);
  }
  t.equal(provider.calls.length, 1, 'no request while blocked, not even forced');
  t.equal(source.calls, calls, 'not even a detection');
  t.equal(runner.detections[0]?.address, '203.0.113.7', 'status keeps showing what was detected before the block');
  t.equal(clock.pendingCount, 0, 'no timer while blocked');

  const same = reconcileState(env.service, runner.state);
  t.equal(same.records[0].state, 'blocked', 'a reload with the same config keeps the block');
  const changed = makeService({ fingerprint: 'fp2' });
  const st = reconcileState(changed, runner.state);
  const again = new ServiceRunner(changed, st, env.deps);
  again.trigger(trigger('config', 'reload'));
  await again.idle();
  t.equal(provider.calls.length, 2, 'a changed configuration lifts the block');
  t.equal(st.records[0].state, 'ok');
});

t.test('a provider-reported config error (dyndns2 !donator) also blocks until the configuration changes', async (t) => {
  const env = setup();
  const { runner, provider, source, clock } = env;
  provider.script.push({ outcome: 'config', message: '!donator: the option needs a paid account' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  t.equal(runner.state.records[0].state, 'blocked');
  t.match(runner.state.records[0].lastResult, /no more requests until the configuration/);
  source.addresses[4] = '198.51.100.2';
  runner.trigger(trigger('event', 'ifup wan'));
  await runner.idle();
  await clock.advance(3600_000);
  t.equal(provider.calls.length, 1, 'nothing resent after the provider said the request is wrong');
  const changed = makeService({ fingerprint: 'fp3' });
  const again = new ServiceRunner(changed, reconcileState(changed, runner.state), env.deps);
  again.trigger(trigger('config', 'reload'));
  await again.idle();
  t.equal(provider.calls.length, 2, 'a changed configuration lifts it');
});

t.test('911: the next try is no sooner than the provider minimum, events notwithstanding', async (t) => {
  const { runner, provider, clock } = setup();
  provider.script.push({ outcome: 'transient', retryAfterMs: 30 * 60_000, message: '911' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  t.equal(runner.state.records[0].state, 'retrying');
  for (let i = 0; i < 29; i++) {
    await clock.advance(60_000);
    runner.trigger(trigger('event', 'ifupdate wan'));
    await runner.idle();
  }
  t.equal(provider.calls.length, 1, 'no request during the 30 minutes');
  await clock.advance(60_000);
  await runner.idle();
  t.equal(provider.calls.length, 2);
  t.ok(provider.times[1] - provider.times[0] >= 30 * 60_000, `second try after ${(provider.times[1] - provider.times[0]) / 60_000} min`);
});

t.test('HTTP 500 again and again: growing intervals, bounded', async (t) => {
  const { runner, provider, clock } = setup({ retryIntervalMs: 60_000 });
  for (let i = 0; i < 9; i++) provider.script.push({ outcome: 'transient', message: 'HTTP 500' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  await clock.advance(24 * 3600_000);
  const gaps = provider.times.slice(1).map((x, i) => x - provider.times[i]);
  t.ok(gaps.length >= 8, `${gaps.length} retries`);
  for (let i = 1; i < gaps.length; i++) t.ok(gaps[i] >= gaps[i - 1], `gap ${i}: ${gaps[i]} >= ${gaps[i - 1]}`);
  t.equal(gaps[0], 60_000);
  t.equal(gaps[1], 120_000);
  t.ok(gaps[gaps.length - 2] > gaps[0] * 16, 'grows well beyond the base');
  t.ok(Math.max(...gaps) <= 2 * 3600_000, 'capped at two hours');
  t.equal(runner.state.records[0].state, 'ok', 'success in the end');
  t.equal(runner.state.failures, 0);
});

t.test('retry_max_count bounds the retries', async (t) => {
  const { runner, provider, clock } = setup({ retryMaxCount: 3 });
  for (let i = 0; i < 10; i++) provider.script.push({ outcome: 'transient', message: 'HTTP 503' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  await clock.advance(24 * 3600_000);
  t.equal(provider.calls.length, 4, 'first try + 3 retries');
  t.equal(runner.state.records[0].state, 'error');
  t.match(runner.state.records[0].lastResult, /gave up after 3 retries/);
});

t.test('jitter lengthens but never shortens a delay', async (t) => {
  const env = makeDeps({ random: () => 0.99 });
  const service = makeService();
  const runner = new ServiceRunner(service, reconcileState(service, undefined), env.deps);
  env.provider.script.push({ outcome: 'transient' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  t.ok(runner.nextCheck! - env.clock.now() >= 60_000);
  t.ok(runner.nextCheck! - env.clock.now() < 75_000);
});

t.test('force_interval resends an unchanged address', async (t) => {
  const { runner, provider, clock } = setup({ forceIntervalMs: 72 * 3600_000 });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  await clock.advance(72 * 3600_000 - 1);
  t.equal(provider.calls.length, 1);
  await clock.advance(1);
  t.equal(provider.calls.length, 2);
  t.equal(provider.calls[1][0].address, '203.0.113.7');
});

t.test('network failures retry with a short, capped backoff', async (t) => {
  const { runner, provider, clock } = setup({ retryIntervalMs: 30_000 });
  for (let i = 0; i < 6; i++) provider.script.push({ outcome: 'network', message: 'connection refused' });
  runner.trigger(trigger('config', 'start'));
  await runner.idle();
  await clock.advance(3600_000);
  const gaps = provider.times.slice(1).map((x, i) => x - provider.times[i]);
  t.ok(Math.max(...gaps) <= 5 * 60_000, 'never more than 5 minutes');
  t.equal(provider.calls.length, 7);
});

t.test('a stopped runner runs nothing more', async (t) => {
  const { runner, provider, clock } = setup({ source: 'web' }, new FakeSource('web'));
  runner.trigger(trigger('config', 'start'));
  await runner.stop();
  runner.trigger(trigger('event', 'ifup'));
  await clock.advance(3600_000);
  t.ok(provider.calls.length <= 1);
  t.equal(clock.pendingCount, 0);
});

/** A netifd-like source whose IPv6 address is tentative until the test ends DAD. */
class DadSource extends FakeSource {
  tentative = true;
  failed = false;
  preferredS: number | undefined;
  follows: AbortSignal[] = [];
  #end: ((how: 'settled' | 'timeout') => void) | undefined;

  override async detect(family: 4 | 6) {
    this.calls++;
    if (family === 4) return { family, address: '203.0.113.7', candidates: [], warnings: [] };
    if (this.failed) return { family, candidates: [], warnings: ['2001:db8:1::10 failed duplicate address detection'], error: 'no usable IPv6 address' };
    if (this.tentative) return { family, candidates: [], warnings: [], error: '2001:db8:1::10 is still tentative', pending: { device: 'va', addresses: ['2001:db8:1::10'] } };
    return { family, address: '2001:db8:1::10', candidates: [], warnings: [], preferredForMs: this.preferredS === undefined ? undefined : this.preferredS * 1000 };
  }

  settled(_p: unknown, signal: AbortSignal): Promise<'settled' | 'timeout' | 'aborted'> {
    this.follows.push(signal);
    return new Promise((resolve) => {
      this.#end = resolve;
      signal.addEventListener('abort', () => resolve('aborted'));
    });
  }

  end(how: 'settled' | 'timeout'): void {
    this.#end?.(how);
  }
}

t.test('a tentative IPv6 address is followed to the end of DAD, then published at once', async (t) => {
  const source = new DadSource();
  const { runner, provider, clock, state, lines } = setup({ ipVersion: '6' }, source);
  runner.trigger(trigger('event', 'ifup wan'));
  await runner.idle();
  t.equal(provider.calls.length, 0, 'nothing to send while tentative');
  t.equal(state.records[0].state, 'pending', 'pending, not error');
  t.match(lines.join('\n'), /info: \[home\] no IPv6 address: 2001:db8:1::10 is still tentative/, 'an info line, not a warning');
  t.equal(source.follows.length, 1, 'DAD is followed');
  source.tentative = false;
  source.end('settled');
  await clock.advance(0);
  await runner.idle();
  t.equal(provider.calls.length, 1, 'published when DAD ended, with no event');
  t.same(provider.calls[0].map((u) => u.address), ['2001:db8:1::10']);
  t.equal(source.follows.length, 1, 'nothing more to follow');
});

t.test('DAD that outlasts its bound: one check, then no endless following; a failed address is never followed', async (t) => {
  const source = new DadSource();
  const { runner, clock } = setup({ ipVersion: '6' }, source);
  runner.trigger(trigger('event', 'ifup wan'));
  await runner.idle();
  source.end('timeout');
  await clock.advance(0);
  await runner.idle();
  t.equal(source.calls, 2, 'checked once more at the bound');
  t.equal(source.follows.length, 1, 'the same still-tentative address is not followed again');
  runner.trigger(trigger('event', 'ifupdate wan'));
  await runner.idle();
  t.equal(source.follows.length, 1, 'not on the next event either, while it is the same');
  source.failed = true;
  runner.trigger(trigger('event', 'ifupdate wan'));
  await runner.idle();
  t.equal(source.follows.length, 1);
  t.equal(runner.state.records[0].state, 'error', 'DAD failed: an error, with its warning in status');
  t.match(runner.detections[0].warnings, [/failed duplicate address detection/]);
});

t.test('a re-check when the chosen address stops being preferred, with no event', async (t) => {
  const source = new DadSource();
  source.tentative = false;
  source.preferredS = 600;
  const { runner, clock } = setup({ ipVersion: '6' }, source);
  runner.trigger(trigger('event', 'ifup wan'));
  await runner.idle();
  t.equal(runner.nextCheck, clock.now() + 600_000 + 1000, 'timer at the end of the preferred lifetime (+1 s)');
  source.preferredS = undefined;
  await clock.advance(601_000);
  await runner.idle();
  t.equal(source.calls, 2, 'checked again when it turned deprecated');
  t.equal(runner.nextCheck, undefined, 'an address that never expires needs no timer');
});
