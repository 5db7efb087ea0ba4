/**
 * `make bench`: the shipped executable (dist/ddnsd) measured as a user feels it. Each daemon
 * runs in its own process (ddnsd; the ubus broker, fake netifd + hotplug + LuCI, and the fake
 * provider from test/bench/actors.ts); times are taken where events happen, on the machine's
 * monotonic clock, and nothing polls. Writes bench/results.json (keys: test/bench/README.md)
 * and prints a table. Never asserted in tests.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus, release } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRest, REST_PROVIDERS } from '../support/fake-rest';
import { restCosts } from '../support/rest-costs';
import { node22 } from '../support/runtime';
import { runActor, type Role } from './actors';
import { benchBootSilentResolver } from './boot';
import { cpuSample, median, memory, percentiles, sizeOf, type Memory, type Percentiles } from './measure';
import { PASSWORD, USER } from '../integration/world';

const ROOT = process.cwd();
const EXE = join(ROOT, 'dist', 'ddnsd');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const SOAK_CALLS = Number(process.env.BENCH_SOAK_CALLS ?? 100_000);
const SOAK_CHANGES = Number(process.env.BENCH_SOAK_CHANGES ?? 10_000);
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const SETTLE_MS = 3000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const msBetween = (a: string | bigint, b: string | bigint) => Number(BigInt(b) - BigInt(a)) / 1e6;
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

// ---- actors ---------------------------------------------------------------------------------

class Actor {
  readonly #pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Map<string, ((d: Record<string, unknown>) => void)[]>();
  #seq = 0;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: { id?: number; result?: Record<string, unknown>; error?: string; event?: string; data?: Record<string, unknown> }) => {
      if (m.event) for (const fn of this.#listeners.get(m.event) ?? []) fn(m.data ?? {});
      else if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result ?? {});
      }
    });
  }

  on(event: string, fn: (d: Record<string, unknown>) => void): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), fn]);
  }

  call(cmd: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, args });
    });
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

function startActor(role: Role, args: string[] = []): Promise<{ actor: Actor; ready: Record<string, unknown> }> {
  const child = fork(__filename, ['--role', role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const actor = new Actor(child);
  return new Promise((resolve, reject) => {
    actor.on('ready', (ready) => resolve({ actor, ready }));
    child.once('exit', (code) => reject(new Error(`bench actor ${role} exited (${code})`)));
  });
}

/** The provider's requests as they arrive; `take(n)` resolves with the next n. */
class Arrivals {
  readonly #queue: { t: string; host: string; myip: string }[] = [];
  #waiter: { n: number; resolve: (v: { t: string; host: string; myip: string }[]) => void } | undefined;
  total = 0;

  constructor(provider: Actor) {
    provider.on('request', (d) => {
      this.total++;
      this.#queue.push(d as { t: string; host: string; myip: string });
      this.#wake();
    });
  }

  #wake(): void {
    if (this.#waiter && this.#queue.length >= this.#waiter.n) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.resolve(this.#queue.splice(0, w.n));
    }
  }

  take(n: number, what: string, limitMs = 60_000): Promise<{ t: string; host: string; myip: string }[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench: no ${what} within ${limitMs} ms (${this.#queue.length} of ${n} requests)`)), limitMs);
      this.#waiter = { n, resolve: (v) => { clearTimeout(timer); resolve(v); } };
      this.#wake();
    });
  }

  drop(): void {
    this.#queue.length = 0;
  }
}

// ---- the daemon -----------------------------------------------------------------------------

interface World {
  dir: string;
  socketPath: string;
  broker: Actor;
  netifd: Actor;
  provider: Actor;
  providerUrl: string;
  arrivals: Arrivals;
  /** When the broker announced object `path` (ubus.object.add), the first time after `after`. */
  objectAfter(path: string, after: bigint): Promise<string>;
}

function config(w: World, services: number): string {
  const lines = [`config ddnsd 'global'`, `\toption log_level 'info'`, ''];
  for (let i = 1; i <= services; i++) {
    lines.push(`config service 's${i}'`, `\toption enabled '1'`, `\toption provider 'dyndns2'`,
      `\toption endpoint '${w.providerUrl}/nic/update'`, `\toption username '${USER}'`, `\toption password '${PASSWORD}'`,
      `\toption interface 'wan'`, `\toption ip_source 'network'`, `\toption verify '0'`, `\tlist domain 's${i}.example.com'`, '');
  }
  return lines.join('\n');
}

interface Daemon {
  child: ChildProcess;
  pid: number;
  t0: bigint;
  stop(): Promise<void>;
}

function startDaemon(w: World, services: number, name: string): Daemon {
  const dir = join(w.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ddnsd'), config(w, services));
  const t0 = process.hrtime.bigint();
  const child = spawn(EXE, ['run', '--config', join(dir, 'ddnsd'), '--socket', w.socketPath, '--state-dir', join(dir, 'state')], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Read its log (and drop it) so a full pipe never stalls it.
  child.stdout!.resume();
  child.stderr!.resume();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child, pid: child.pid!, t0,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

let addressSeq = 0;
function nextAddress(): string {
  addressSeq++;
  return `198.51.${100 + Math.floor(addressSeq / 250) % 100}.${(addressSeq % 250) + 1}`;
}

/** One change through `via` (netifd's notification or the hotplug call): ms to the first and the last request. */
async function react(w: World, via: 'announce' | 'hotplug', services: number): Promise<{ first: number; last: number }> {
  const address = nextAddress();
  const got = w.arrivals.take(services, `${via} reaction`);
  const { t0 } = (await w.netifd.call(via, { address })) as { t0: string };
  const reqs = await got;
  const bad = reqs.filter((r) => r.myip !== address);
  if (bad.length) throw new Error(`bench: a request carried ${bad[0].myip}, expected ${address}`);
  const times = reqs.map((r) => msBetween(t0, r.t));
  return { first: Math.min(...times), last: Math.max(...times) };
}

async function reactions(w: World, services: number): Promise<Record<string, Percentiles>> {
  const out: Record<string, number[]> = { netifd_first: [], netifd_last: [], hotplug_first: [], hotplug_last: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const via of ['announce', 'hotplug'] as const) {
      const r = await react(w, via, services);
      const key = via === 'announce' ? 'netifd' : 'hotplug';
      out[`${key}_first`].push(r.first);
      out[`${key}_last`].push(r.last);
      // Let the check finish (state written) before the next change: pacing, not a measurement.
      await sleep(15);
    }
  }
  const res: Record<string, Percentiles> = {};
  for (const [k, v] of Object.entries(out)) if (services > 1 || k.endsWith('_first')) res[services > 1 ? k : k.replace('_first', '')] = percentiles(v);
  return res;
}

async function startAndSettle(w: World, services: number, name: string): Promise<{ d: Daemon; toObject: number; toFirst: number; toAll: number }> {
  w.arrivals.drop();
  const first = w.arrivals.take(services, `first ${services} update requests`, 120_000);
  const d = startDaemon(w, services, name);
  const tObject = await w.objectAfter('ddnsd', d.t0);
  const reqs = await first;
  const times = reqs.map((r) => msBetween(d.t0, r.t));
  return { d, toObject: msBetween(d.t0, tObject), toFirst: Math.min(...times), toAll: Math.max(...times) };
}

// ---- start-up -------------------------------------------------------------------------------

/**
 * A SEA on the same runtime that only prints a version (or, with --idle, sits idle): built by
 * the router build's own tool for the host's ISA and started through its own loader, as
 * dist/ddnsd starts ddnsd. Returns the command and the arguments before the program's own.
 */
const HOST_ISA = process.arch === 'arm64' ? 'aarch64' : process.arch === 'arm' ? 'armv7' : 'x86_64';

function buildBareSea(dir: string): { cmd: string; pre: string[] } {
  const src = join(dir, 'bare.cjs');
  writeFileSync(src, "if (process.argv.includes('--idle')) setInterval(() => {}, 1e9); else process.stdout.write('0.0.0\\n');\n");
  const stage = join(dir, 'stage');
  const tool = join(ROOT, 'openwrt', 'tools', 'build-exe.cjs');
  const r = spawnSync(node22(ROOT), [tool, '--isa', HOST_ISA, '--bundle', src, '--stage', stage], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`bench: could not build the print-only SEA: ${r.stderr}`);
  return throughLoader(join(stage, HOST_ISA));
}

/** A staged executable started through its own bundled loader (as dist/ddnsd does, without its shell). */
function throughLoader(stageRoot: string): { cmd: string; pre: string[] } {
  const lib = join(stageRoot, 'usr', 'lib', 'ddnsd');
  const loader = readdirSync(lib).find((f) => f.startsWith('ld-linux'));
  if (!loader) throw new Error(`bench: no loader in ${lib}`);
  return { cmd: join(lib, loader), pre: [join(lib, 'ddnsd')] };
}

function timeRun(cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function versionRatio(bare: { cmd: string; pre: string[] }): Record<string, number> {
  const ddnsd: number[] = [];
  const sea: number[] = [];
  // Both started the same way, through their loaders: dist/ddnsd's shell would add its own start.
  const own = throughLoader(join(ROOT, 'dist', 'stage', HOST_ISA));
  const version = [...own.pre, '--version'];
  timeRun(own.cmd, version);
  timeRun(bare.cmd, bare.pre);
  for (let i = 0; i < 20; i++) {
    // Paired, order alternating, so drift of a shared machine hits both alike.
    if (i % 2) {
      ddnsd.push(timeRun(own.cmd, version));
      sea.push(timeRun(bare.cmd, bare.pre));
    } else {
      sea.push(timeRun(bare.cmd, bare.pre));
      ddnsd.push(timeRun(own.cmd, version));
    }
  }
  const ratios = ddnsd.map((d, i) => d / sea[i]);
  return { pairs: 20, ddnsd_median_ms: median(ddnsd), print_only_sea_median_ms: median(sea), ratio: Math.round(median(ratios) * 100) / 100 };
}

async function floorMemory(bare: { cmd: string; pre: string[] }): Promise<Memory> {
  const child = spawn(bare.cmd, [...bare.pre, '--idle'], { stdio: 'ignore' });
  await sleep(SETTLE_MS);
  const m = memory(child.pid!);
  child.kill('SIGKILL');
  return m;
}

// ---- the run --------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(EXE)) throw new Error(`${EXE} is not built (make dist/ddnsd)`);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-bench-'));
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', kernel: release(), date: new Date().toISOString() },
    executable: 'dist/ddnsd',
  };
  const actors: Actor[] = [];
  const daemons: Daemon[] = [];
  try {
    log('requests per change (fake REST servers)');
    const fake = await FakeRest.start();
    const perChange: Record<string, unknown> = {};
    for (const p of REST_PROVIDERS) {
      const c = await restCosts(fake, p);
      perChange[p] = { create_and_verify: c.create.requests, next_change: c.change.requests, after_reboot: c.restart.requests, verified: c.create.verified && c.change.verified && c.restart.verified };
    }
    await fake.close();
    results.requests_per_change = perChange;

    log('start-up: --version against a print-only SEA');
    const bare = buildBareSea(dir);
    results.startup = { version: versionRatio(bare) };

    const socketPath = join(dir, 'ubus.sock');
    const broker = await startActor('broker', [socketPath]);
    actors.push(broker.actor);
    const netifd = await startActor('netifd', [socketPath]);
    actors.push(netifd.actor);
    const provider = await startActor('provider');
    actors.push(provider.actor);
    const objects: { t: string; path: string }[] = [];
    const objectWaiters: { path: string; after: bigint; resolve: (t: string) => void }[] = [];
    netifd.actor.on('object', (d) => {
      const o = d as { t: string; path: string };
      objects.push(o);
      for (const x of objectWaiters.filter((x) => x.path === o.path && BigInt(o.t) > x.after)) {
        objectWaiters.splice(objectWaiters.indexOf(x), 1);
        x.resolve(o.t);
      }
    });
    const w: World = {
      dir, socketPath, broker: broker.actor, netifd: netifd.actor, provider: provider.actor,
      providerUrl: String(provider.ready.url), arrivals: new Arrivals(provider.actor),
      objectAfter: (path, after) => new Promise((resolve) => {
        const seen = objects.find((o) => o.path === path && BigInt(o.t) > after);
        if (seen) return resolve(seen.t);
        objectWaiters.push({ path, after, resolve });
      }),
    };

    log('1 service: start, idle, reactions');
    const one = await startAndSettle(w, 1, 'one');
    daemons.push(one.d);
    Object.assign(results.startup as object, { run_to_object_ms: Math.round(one.toObject * 10) / 10, run_to_first_request_ms: Math.round(one.toFirst * 10) / 10 });
    await sleep(SETTLE_MS);
    const mem1 = memory(one.d.pid);
    const before = cpuSample(one.d.pid);
    const reqBefore = w.arrivals.total;
    await sleep(IDLE_WINDOW_MS);
    const after = cpuSample(one.d.pid);
    results.idle = {
      window_s: IDLE_WINDOW_MS / 1000, services: 1, requests: w.arrivals.total - reqBefore, cpu_ms: after.cpuMs - before.cpuMs,
      wakeups_main_thread: after.wakeupsMain - before.wakeupsMain, wakeups_all_threads: after.wakeupsAll - before.wakeupsAll,
    };
    const reaction: Record<string, unknown> = {};
    reaction.services_1 = await reactions(w, 1);
    log('address-change soak (1 service)');
    const changes: { changes: number; private_dirty_kib: number }[] = [];
    for (let i = 1; i <= SOAK_CHANGES; i++) {
      const address = nextAddress();
      const got = w.arrivals.take(1, 'soak request');
      await w.netifd.call('announce', { address });
      await got;
      if (i % 1000 === 0) {
        await sleep(200);
        changes.push({ changes: i, private_dirty_kib: memory(one.d.pid).private_dirty });
      }
    }
    await one.d.stop();

    log('10 services: start, reactions, status soak');
    const ten = await startAndSettle(w, 10, 'ten');
    daemons.push(ten.d);
    await sleep(SETTLE_MS);
    const mem10 = memory(ten.d.pid);
    reaction.services_10 = await reactions(w, 10);
    results.reaction_ms = reaction;
    const calls: { calls: number; private_dirty_kib: number }[] = [];
    for (let done = 0; done < SOAK_CALLS;) {
      const r = await w.netifd.call('status', { count: 10_000, inFlight: 4 });
      if (Number(r.failed)) throw new Error(`bench: ${r.failed} status calls failed`);
      done += 10_000;
      await sleep(200);
      calls.push({ calls: done, private_dirty_kib: memory(ten.d.pid).private_dirty });
    }
    await ten.d.stop();

    log('100 services: idle memory');
    const hundred = await startAndSettle(w, 100, 'hundred');
    daemons.push(hundred.d);
    await sleep(SETTLE_MS);
    const mem100 = memory(hundred.d.pid);
    await hundred.d.stop();

    const floor = await floorMemory(bare);
    const growth = (xs: { private_dirty_kib: number }[]) => (xs.length > 1 ? xs[xs.length - 1].private_dirty_kib - xs[0].private_dirty_kib : 0);
    results.memory_kib = {
      runtime_floor: floor, services_1: mem1, services_10: mem10, services_100: mem100,
      own_private_dirty_1: mem1.private_dirty - floor.private_dirty,
      own_private_dirty_10: mem10.private_dirty - floor.private_dirty,
      own_private_dirty_100: mem100.private_dirty - floor.private_dirty,
    };
    results.soak = {
      status_calls: calls, status_growth_kib_after_warmup: growth(calls),
      address_changes: changes, address_growth_kib_after_warmup: growth(changes),
    };
    log('boot with an unreachable resolver');
    // Its own world and daemon (test/bench/boot.ts): the seed lookup cut at its bound.
    results.boot_unreachable_resolver = await benchBootSilentResolver(EXE);
    const counts = await w.provider.call('counts');
    results.provider_problems = counts.problems;

    const packages: Record<string, number> = {};
    const dist = join(ROOT, 'dist');
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ipk|apk)$/.test(e.name)) packages[p.slice(dist.length + 1)] = sizeOf(p);
      }
    };
    walk(dist);
    results.size_bytes = { executable: exeSize(), packages };
    results.duration_s = Math.round((Date.now() - started) / 1000);
    results.goals = goals(results);
  } finally {
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    for (const a of actors) a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  printTable(results);
}

/** The executable's bytes: the file itself, or the router build's staging tree when dist/ddnsd starts it. */
function exeSize(): number {
  const text = readFileSync(EXE).subarray(0, 2).toString();
  const stage = join(ROOT, 'dist', 'stage', 'x86_64', 'usr', 'lib', 'ddnsd');
  return text === '#!' && existsSync(stage) ? sizeOf(stage) : sizeOf(EXE);
}

function goals(r: Record<string, unknown>): Record<string, unknown> {
  const g = (path: string): number => path.split('.').reduce((o: unknown, k) => (o as Record<string, unknown>)?.[k], r) as number;
  return {
    reaction_p99_1_service_le_15ms: g('reaction_ms.services_1.netifd.p99') <= 15 && g('reaction_ms.services_1.hotplug.p99') <= 15,
    reaction_p99_last_of_10_le_40ms: g('reaction_ms.services_10.netifd_last.p99') <= 40 && g('reaction_ms.services_10.hotplug_last.p99') <= 40,
    idle_requests_zero: g('idle.requests') === 0,
    version_ratio_le_1_4: g('startup.version.ratio') <= 1.4,
    own_private_dirty_1_le_3mib: g('memory_kib.own_private_dirty_1') <= 3 * 1024,
    own_private_dirty_100_le_6mib: g('memory_kib.own_private_dirty_100') <= 6 * 1024,
    status_soak_growth_lt_0_5mib: g('soak.status_growth_kib_after_warmup') < 512,
    address_soak_growth_lt_0_5mib: g('soak.address_growth_kib_after_warmup') < 512,
  };
}

function printTable(r: Record<string, unknown>): void {
  const rows: [string, string][] = [];
  const p = (x: Percentiles) => `p50 ${x.p50}  p90 ${x.p90}  p99 ${x.p99}  max ${x.max}  (n ${x.n})`;
  const re = r.reaction_ms as Record<string, Record<string, Percentiles>>;
  rows.push(['reaction, netifd → request, 1 service (ms)', p(re.services_1.netifd)]);
  rows.push(['reaction, hotplug → request, 1 service (ms)', p(re.services_1.hotplug)]);
  rows.push(['reaction, netifd → last of 10 requests (ms)', p(re.services_10.netifd_last)]);
  rows.push(['reaction, hotplug → last of 10 requests (ms)', p(re.services_10.hotplug_last)]);
  const st = r.startup as { version: Record<string, number>; run_to_object_ms: number; run_to_first_request_ms: number };
  rows.push(['--version / print-only SEA (median of paired ratios)', `${st.version.ratio}  (${st.version.ddnsd_median_ms} ms / ${st.version.print_only_sea_median_ms} ms)`]);
  rows.push(['run → ddnsd object on the bus (ms)', String(st.run_to_object_ms)]);
  rows.push(['run → first update request (ms)', String(st.run_to_first_request_ms)]);
  const idle = r.idle as Record<string, number>;
  rows.push([`idle ${idle.window_s} s, 1 service`, `${idle.requests} requests, ${idle.wakeups_main_thread} main-thread wake-ups (${idle.wakeups_all_threads} all threads), ${idle.cpu_ms} ms CPU`]);
  const m = r.memory_kib as Record<string, Memory & number>;
  const mm = (x: Memory) => `RSS ${x.rss}  PSS ${x.pss}  Private_Clean ${x.private_clean}  Private_Dirty ${x.private_dirty}`;
  rows.push(['memory KiB, empty runtime (floor)', mm(m.runtime_floor)]);
  rows.push(['memory KiB, idle, 1 service', mm(m.services_1)]);
  rows.push(['memory KiB, idle, 10 services', mm(m.services_10)]);
  rows.push(['memory KiB, idle, 100 services', mm(m.services_100)]);
  rows.push(['ddnsd\'s own Private_Dirty KiB (1 / 10 / 100)', `${m.own_private_dirty_1} / ${m.own_private_dirty_10} / ${m.own_private_dirty_100}`]);
  const s = r.soak as { status_calls: { calls: number; private_dirty_kib: number }[]; address_changes: { changes: number; private_dirty_kib: number }[]; status_growth_kib_after_warmup: number; address_growth_kib_after_warmup: number };
  rows.push(['Private_Dirty KiB per 10,000 status calls', s.status_calls.map((x) => x.private_dirty_kib).join(' ')]);
  rows.push(['  growth after the first 10,000 (KiB)', String(s.status_growth_kib_after_warmup)]);
  rows.push(['Private_Dirty KiB per 1,000 address changes', s.address_changes.map((x) => x.private_dirty_kib).join(' ')]);
  rows.push(['  growth after the first 1,000 (KiB)', String(s.address_growth_kib_after_warmup)]);
  const sz = r.size_bytes as { executable: number; packages: Record<string, number> };
  rows.push(['executable (bytes)', String(sz.executable)]);
  for (const [k, v] of Object.entries(sz.packages)) rows.push([`  ${k}`, String(v)]);
  for (const [k, v] of Object.entries(r.requests_per_change as Record<string, Record<string, number>>)) {
    rows.push([`requests, ${k} (create+verify / next change / after reboot)`, `${v.create_and_verify} / ${v.next_change} / ${v.after_reboot}`]);
  }
  for (const x of (r.boot_unreachable_resolver as { name: string; value: string }[] | undefined) ?? []) rows.push([x.name, x.value]);
  for (const [k, v] of Object.entries(r.goals as Record<string, boolean>)) rows.push([`goal ${k}`, v ? 'met' : 'MISSED']);
  const wdt = Math.max(...rows.map((x) => x[0].length));
  const mc = r.machine as Record<string, unknown>;
  console.log(`ddnsd bench: ${r.executable} on ${mc.cpus} × ${mc.cpu_model}, Linux ${mc.kernel} (${r.duration_s} s)`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(wdt)}  ${v}`);
  console.log('written to bench/results.json');
}

if (process.argv[2] === '--role') {
  void runActor(process.argv[3] as Role, process.argv.slice(4));
} else {
  main().catch((e) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
