/**
 * ubus benchmark over the test broker: calls per second (sequential and 100 in flight) and
 * the heap before and after 10,000 calls. Run alone (node --expose-gc for the heap numbers):
 *   esbuild test/bench/ubus.ts --bundle --platform=node --outfile=dist/ubus-bench.cjs
 *   node --expose-gc dist/ubus-bench.cjs
 * or import `benchUbus` from a bench runner. Nothing here is asserted.
 */
import { UbusClient } from '../../src/ubus';
import { TestBroker } from '../support/ubus-broker';

export interface BenchRow {
  name: string;
  value: string;
}

const CALLS = 10_000;

function heapMiB(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function benchUbus(): Promise<BenchRow[]> {
  const broker = await TestBroker.start();
  const server = await UbusClient.connect({ socketPath: broker.socketPath });
  const client = await UbusClient.connect({ socketPath: broker.socketPath });
  try {
    await server.addObject('bench', { echo: { args: { msg: 'string', n: 'int32' }, handler: (a) => a } });
    const one = (i: number) => client.call('bench', 'echo', { msg: 'hello', n: i });
    for (let i = 0; i < 1000; i++) await one(i); // warm up the JIT and buffers
    const before = heapMiB();
    const sequential = await timed(CALLS, async () => {
      for (let i = 0; i < CALLS; i++) await one(i);
    });
    const after = heapMiB();
    const pipelined = await timed(CALLS, async () => {
      for (let i = 0; i < CALLS; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => one(i + j)));
    });
    const events = await timed(CALLS, async () => {
      let got = 0;
      let done: () => void = () => {};
      const all = new Promise<void>((r) => { done = r; });
      const l = await server.listen('bench.*', () => { if (++got === CALLS) done(); });
      for (let i = 0; i < CALLS; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => client.send('bench.tick', { n: i + j })));
      await all;
      await l.remove();
    });
    const gcNote = (globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for exact numbers)';
    return [
      { name: `ubus calls/s, sequential (lookup + invoke each)`, value: sequential.toFixed(0) },
      { name: `ubus calls/s, 100 in flight`, value: pipelined.toFixed(0) },
      { name: `ubus events/s, send → listener`, value: events.toFixed(0) },
      { name: `heap before ${CALLS} calls (MiB)${gcNote}`, value: before.toFixed(2) },
      { name: `heap after ${CALLS} calls (MiB)`, value: after.toFixed(2) },
      { name: `heap growth over ${CALLS} calls (KiB)`, value: ((after - before) * 1024).toFixed(0) },
    ];
  } finally {
    client.close();
    server.close();
    await broker.close();
  }
}

if (require.main === module) {
  void benchUbus().then((rows) => {
    const w = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.value}`);
  });
}
