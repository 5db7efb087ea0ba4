/**
 * Daemon benchmark: the real dist/ddnsd on the test broker with a fake netifd and a fake
 * dyndns2 server. Reports start-up time, event → update-request latency (netifd notification
 * and hotplug `notify`), what a burst of events costs, `status` round trips and the daemon's
 * memory. Wall-clock numbers from this machine; nothing is asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UbusClient } from '../../src/ubus';
import { configText, dyndnsStep, makeWorld, serviceSection, until } from '../integration/world';
import type { BenchRow } from './ubus';

const ROUNDS = 50;

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)}, p95 ${q(0.95).toFixed(1)}, max ${s[s.length - 1].toFixed(1)}`;
}

function memory(pid: number): { rss: string; hwm: string } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS').toFixed(1), hwm: kb('VmHWM').toFixed(1) };
}

/** Rss and Private_Dirty of /proc/PID/smaps_rollup, in MiB: what the process costs the router. */
function rollup(pid: number): string {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const mib = (k: string) => (Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) / 1024).toFixed(1);
  return `${mib('Rss')} / ${mib('Private_Dirty')}`;
}

/** `exe --version`, 20 runs one after another: the median and the slowest, in ms. */
function versionTimes(exe: string): string {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(exe, ['--version'], { stdio: 'ignore' });
    if (r.status !== 0) return `failed (exit ${r.status})`;
    times.push(ms(start));
  }
  return stats(times);
}

/** `exe` defaults to dist/ddnsd under the current directory (make runs from the repository root). */
export async function benchEngine(exe = join(process.cwd(), 'dist', 'ddnsd')): Promise<BenchRow[]> {
  if (!existsSync(exe)) return [{ name: 'daemon benchmark', value: `skipped: ${exe} is not built (make dist/ddnsd)` }];
  const teardown: (() => unknown)[] = [];
  const tap = { teardown: (fn: () => unknown) => void teardown.push(fn), strictSame: () => undefined };
  const w = await makeWorld(tap);
  const rows: BenchRow[] = [];
  try {
    w.writeConfig(configText([serviceSection('home', w.fake.url)], 'warn'));
    w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'good 203.0.113.7'));
    const t0 = process.hrtime.bigint();
    const child = spawn(exe, ['run', '--config', w.configPath, '--socket', w.broker.socketPath, '--state-dir', w.stateDir], { stdio: 'ignore' });
    teardown.push(() => child.kill('SIGKILL'));
    await until(() => w.broker.objectPaths().includes('ddnsd'), 'ddnsd on the bus', 30_000);
    rows.push({ name: 'start → ddnsd object on the bus (ms)', value: ms(t0).toFixed(0) });
    await until(() => w.fake.received.length === 1, 'first update', 30_000);
    rows.push({ name: 'start → first update request (ms)', value: ms(t0).toFixed(0) });
    // Idle: the first check has ended and nothing has happened for 3 s.
    await new Promise((r) => setTimeout(r, 3000));
    rows.push({ name: 'daemon idle after start: Rss / Private_Dirty (MiB, smaps_rollup)', value: rollup(child.pid!) });

    const bus = await UbusClient.connect({ socketPath: w.broker.socketPath });
    teardown.push(() => bus.close());
    let n = 1;
    const react = async (poke: () => Promise<unknown>): Promise<number> => {
      const addr = `198.51.100.${(n % 250) + 1}`;
      w.netifd.setAddress('wan', addr);
      w.fake.expect(dyndnsStep('home.example.com', addr, `good ${addr}`));
      const want = ++n;
      const start = process.hrtime.bigint();
      await poke();
      await until(() => w.fake.received.length === want, 'the update request');
      const took = ms(start);
      // Let the check finish (state write) before the next round.
      await new Promise((r) => setTimeout(r, 5));
      return took;
    };
    const viaNetifd: number[] = [];
    for (let i = 0; i < ROUNDS; i++) viaNetifd.push(await react(() => w.netifd.announce('wan')));
    rows.push({ name: `netifd interface.update → update request (ms, ${ROUNDS} rounds)`, value: stats(viaNetifd) });
    const viaHotplug: number[] = [];
    for (let i = 0; i < ROUNDS; i++) viaHotplug.push(await react(() => bus.call('ddnsd', 'notify', { interface: 'wan', action: 'ifupdate' })));
    rows.push({ name: `hotplug notify → update request (ms, ${ROUNDS} rounds)`, value: stats(viaHotplug) });

    const before = w.fake.received.length;
    for (let b = 0; b < 10; b++) {
      const addr = `192.0.2.${b + 10}`;
      w.netifd.setAddress('wan', addr);
      w.fake.expect(dyndnsStep('home.example.com', addr, `good ${addr}`));
      await Promise.all(Array.from({ length: 20 }, () => w.netifd.announce('wan')));
      await until(() => w.fake.received.length >= before + b + 1, 'burst update');
      await new Promise((r) => setTimeout(r, 20));
    }
    rows.push({ name: 'update requests for 10 bursts of 20 events', value: String(w.fake.received.length - before) });

    const rt: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint();
      await bus.call('ddnsd', 'status', {});
      rt.push(ms(start));
    }
    rows.push({ name: 'ubus call ddnsd status round trip (ms, 200 calls)', value: stats(rt) });
    rows.push({ name: 'daemon after the events and calls: Rss / Private_Dirty (MiB, smaps_rollup)', value: rollup(child.pid!) });
    const mem = memory(child.pid!);
    rows.push({ name: 'daemon RSS now / peak (MiB)', value: `${mem.rss} / ${mem.hwm}` });
    const problems = w.fake.problems();
    if (problems.length) rows.push({ name: 'fake server problems', value: problems.slice(0, 3).join('; ') });
    child.kill('SIGTERM');
    rows.push({ name: `${exe.endsWith('dist/ddnsd') ? 'dist/ddnsd' : exe} --version (ms, 20 runs)`, value: versionTimes(exe) });
    return rows;
  } finally {
    for (const fn of teardown.reverse()) await fn();
  }
}
