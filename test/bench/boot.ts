/**
 * Boot with an unreachable resolver: the real dist/ddnsd with verification on and its
 * `dns_server` a loopback UDP socket that reads every query and answers none (dnsmasq not yet
 * serving, or a resolver behind a route that drops packets). Before its first update the
 * daemon asks DNS what the record holds; that lookup is cut at the seed bound (1 s) instead of
 * running to its 5 s timeout. Wall-clock numbers from this machine; nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { configText, dyndnsStep, makeWorld, serviceSection, until } from '../integration/world';
import type { BenchRow } from './measure';

export async function benchBootSilentResolver(exe = join(process.cwd(), 'dist', 'ddnsd')): Promise<BenchRow[]> {
  if (!existsSync(exe)) return [{ name: 'boot with an unreachable resolver', value: `skipped: ${exe} is not built (make dist/ddnsd)` }];
  const teardown: (() => unknown)[] = [];
  const tap = { teardown: (fn: () => unknown) => void teardown.push(fn), strictSame: () => undefined };
  try {
    const silent = createSocket('udp4');
    let queries = 0;
    silent.on('message', () => queries++);
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    teardown.push(() => silent.close());
    const port = (silent.address() as AddressInfo).port;
    const w = await makeWorld(tap);
    w.writeConfig(configText([serviceSection('home', w.fake.url, { verify: '1', dns_server: `127.0.0.1:${port}` })], 'warn'));
    w.fake.expect(dyndnsStep('home.example.com', '203.0.113.7', 'good 203.0.113.7'));
    const t0 = process.hrtime.bigint();
    const child = spawn(exe, ['run', '--config', w.configPath, '--socket', w.broker.socketPath, '--state-dir', w.stateDir], { stdio: 'ignore' });
    teardown.push(() => child.kill('SIGKILL'));
    await until(() => w.broker.objectPaths().includes('ddnsd'), 'ddnsd on the bus', 30_000);
    const up = process.hrtime.bigint();
    await until(() => w.fake.received.length === 1, 'first update', 30_000);
    const sent = process.hrtime.bigint();
    child.kill('SIGTERM');
    const ms = (a: bigint, b: bigint) => (Number(b - a) / 1e6).toFixed(0);
    return [
      { name: 'boot with an unreachable resolver: start → first update request (ms)', value: ms(t0, sent) },
      { name: 'boot with an unreachable resolver: ddnsd on the bus → first update (ms; seed bound 1000)', value: `${ms(up, sent)} (unanswered queries: ${queries})` },
    ];
  } finally {
    for (const fn of teardown.reverse()) await fn();
  }
}
