/**
 * `make bench`: the daemon benchmark, then the ubus library's own (test/bench/ubus.ts runs
 * itself when loaded as the main bundle, so it is loaded last, on its own). Prints tables.
 */
import { benchBootSilentResolver } from './boot';
import { benchEngine } from './engine';

async function main(): Promise<void> {
  const rows = [...(await benchEngine()), ...(await benchBootSilentResolver())];
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log('ddnsd daemon (dist/ddnsd on the test broker)');
  for (const r of rows) console.log(`  ${r.name.padEnd(w)}  ${r.value}`);
  console.log('\nubus library (test broker)');
  await import('./ubus');
}

void main();
