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
import { cpuSample, mallocHeap, median, memory, percentiles, sizeOf, type Memory, type Percentiles } from './measure';
import { PASSWORD, USER } from '../integration/world';

const ROOT = process.cwd();
const EXE = join(ROOT, 'dist', 'ddnsd');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const SOAK_CALLS = Number(process.env.BENCH_SOAK_CALLS ?? 100_000);
const SOAK_CHANGES = Number(process.env.BENCH_SOAK_CHANGES ?? 10_000);
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const FAILOVER_ROUNDS = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 50);
/** Calls (changes) before the soak's baseline sample: V8 and malloc warm up first. */
const SOAK_WARMUP_CALLS = Number(process.env.BENCH_SOAK_WARMUP_CALLS ?? 10_000);
const SOAK_WARMUP_CHANGES = Number(process.env.BENCH_SOAK_WARMUP_CHANGES ?? 1_000);
/** `BENCH_PARTS=soak,failover` runs only those parts (names in test/bench/README.md) and writes dist/bench-partial.json. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'all').split(',').map((x) => x.trim()).filter(Boolean));
const FULL = PARTS.has('all');
const part = (name: string): boolean => FULL || PARTS.has(name);
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

/** A request as the fake provider saw it: when, for which host and address, from which address. */
interface Arrival {
  t: string;
  host: string;
  myip: string;
  from: string;
}

/** The provider's requests as they arrive; `take(n)` resolves with the next n. */
class Arrivals {
  readonly #queue: Arrival[] = [];
  #waiter: { n: number; resolve: (v: Arrival[]) => void } | undefined;
  total = 0;

  constructor(provider: Actor) {
    provider.on('request', (d) => {
      this.total++;
      this.#queue.push(d as unknown as Arrival);
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

  take(n: number, what: string, limitMs = 60_000): Promise<Arrival[]> {
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

/** `services` dyndns2 services following `wan`, or, with `wans`, the list of WANs in priority order (and `extra` options). */
function config(w: World, services: number, wans: string[] = ['wan'], extra: string[] = []): string {
  const lines = [`config ddnsd 'global'`, `\toption log_level 'info'`, ''];
  const follow = wans.length === 1 ? [`\toption interface '${wans[0]}'`] : wans.map((x) => `\tlist interface '${x}'`);
  for (let i = 1; i <= services; i++) {
    lines.push(`config service 's${i}'`, `\toption enabled '1'`, `\toption provider 'dyndns2'`,
      `\toption endpoint '${w.providerUrl}/nic/update'`, `\toption username '${USER}'`, `\toption password '${PASSWORD}'`,
      ...follow, `\toption ip_source 'network'`, `\toption verify '0'`, ...extra, `\tlist domain 's${i}.example.com'`, '');
  }
  return lines.join('\n');
}

interface Daemon {
  child: ChildProcess;
  pid: number;
  t0: bigint;
  stop(): Promise<void>;
}

function startDaemon(w: World, services: number, name: string, text = config(w, services)): Daemon {
  const dir = join(w.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ddnsd'), text);
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

async function startAndSettle(w: World, services: number, name: string, text?: string): Promise<{ d: Daemon; toObject: number; toFirst: number; toAll: number }> {
  w.arrivals.drop();
  const first = w.arrivals.take(services, `first ${services} update requests`, 120_000);
  const d = startDaemon(w, services, name, text);
  const tObject = await w.objectAfter('ddnsd', d.t0);
  const reqs = await first;
  const times = reqs.map((r) => msBetween(d.t0, r.t));
  return { d, toObject: msBetween(d.t0, tObject), toFirst: Math.min(...times), toAll: Math.max(...times) };
}

// ---- soaks ----------------------------------------------------------------------------------

interface SoakSample {
  private_dirty_kib: number;
  heap_private_dirty_kib: number;
}

function soakSample(pid: number): SoakSample {
  return { private_dirty_kib: memory(pid).private_dirty, heap_private_dirty_kib: mallocHeap(pid) };
}

/**
 * Growth after warm-up: the last sample minus the baseline, the sample taken once the warm-up
 * was done (not the first sample of a fresh daemon, which is before V8 and malloc warmed up).
 */
function growth(samples: SoakSample[], baseline: SoakSample): { private_dirty: number; heap: number } {
  const last = samples[samples.length - 1] ?? baseline;
  return { private_dirty: last.private_dirty_kib - baseline.private_dirty_kib, heap: last.heap_private_dirty_kib - baseline.heap_private_dirty_kib };
}

/**
 * `status` over ubus (LuCI's page polling, many times over), 10 services, 4 calls in flight,
 * on a fresh daemon: SOAK_WARMUP_CALLS first, then the baseline, then a sample after each
 * 10,000 of SOAK_CALLS more.
 */
async function statusSoak(w: World): Promise<Record<string, unknown>> {
  const { d } = await startAndSettle(w, 10, 'soak-status');
  try {
    await sleep(SETTLE_MS);
    const start = soakSample(d.pid);
    const run = async (count: number) => {
      const r = await w.netifd.call('status', { count, inFlight: 4 });
      if (Number(r.failed)) throw new Error(`bench: ${r.failed} status calls failed`);
      await sleep(200);
      return soakSample(d.pid);
    };
    const baseline = await run(SOAK_WARMUP_CALLS);
    const samples: ({ calls: number } & SoakSample)[] = [];
    for (let done = 0; done < SOAK_CALLS;) {
      const n = Math.min(10_000, SOAK_CALLS - done);
      const m = await run(n);
      done += n;
      samples.push({ calls: done, ...m });
    }
    const g = growth(samples, baseline);
    return { services: 10, start, warmup_calls: SOAK_WARMUP_CALLS, baseline, samples, growth_kib: g.private_dirty, heap_growth_kib: g.heap };
  } finally {
    await d.stop();
  }
}

/** Address changes through netifd's notification, 1 service, each waited for at the provider; warm-up, baseline, a sample after each 1,000. */
async function addressSoak(w: World): Promise<Record<string, unknown>> {
  const { d } = await startAndSettle(w, 1, 'soak-address');
  try {
    await sleep(SETTLE_MS);
    const start = soakSample(d.pid);
    const change = async () => {
      const address = nextAddress();
      const got = w.arrivals.take(1, 'soak request');
      await w.netifd.call('announce', { address });
      const [r] = await got;
      if (r.myip !== address) throw new Error(`bench: a soak request carried ${r.myip}, expected ${address}`);
    };
    for (let i = 0; i < SOAK_WARMUP_CHANGES; i++) await change();
    await sleep(200);
    const baseline = soakSample(d.pid);
    const samples: ({ changes: number } & SoakSample)[] = [];
    for (let i = 1; i <= SOAK_CHANGES; i++) {
      await change();
      if (i % 1000 === 0 || i === SOAK_CHANGES) {
        await sleep(200);
        samples.push({ changes: i, ...soakSample(d.pid) });
      }
    }
    const g = growth(samples, baseline);
    return { services: 1, start, warmup_changes: SOAK_WARMUP_CHANGES, baseline, samples, growth_kib: g.private_dirty, heap_growth_kib: g.heap };
  } finally {
    await d.stop();
  }
}

// ---- failover -------------------------------------------------------------------------------

/** Loopback addresses for the two WANs, so requests bound to the active WAN's address can leave from them. */
const WAN = '127.0.0.2';
const WANB = '127.0.0.3';

/**
 * One service following `list interface wan wanb` (hold-down 0 so rounds can follow each
 * other; with a hold-down a failback within it waits for its end, by design). Each round:
 * wan goes down → the request carrying wanb's address, then wan comes back → the request
 * carrying wan's, timed from just before the event is written (the fake's send time) to the
 * provider's receive time. `via` mwan3: mwan3track's verdict (status + hotplug
 * connected/disconnected); netifd: ifdown (interface.down) and ifup (interface.update).
 * Each request must come from the address it carries (requests are bound to the active WAN).
 */
async function failover(w: World): Promise<Record<string, unknown>> {
  await w.netifd.call('addresses', { wan: WAN, wanb: WANB });
  const text = config(w, 1, ['wan', 'wanb'], [`\toption holddown '0'`, `\toption upd_privateip '1'`]);
  const { d } = await startAndSettle(w, 1, 'failover', text);
  const out: Record<string, Record<string, Percentiles>> = {};
  try {
    await sleep(SETTLE_MS);
    for (const via of ['mwan3', 'netifd'] as const) {
      const times: Record<'failover' | 'failback', number[]> = { failover: [], failback: [] };
      for (let i = 0; i < FAILOVER_ROUNDS; i++) {
        for (const [key, up, want] of [['failover', false, WANB], ['failback', true, WAN]] as const) {
          const got = w.arrivals.take(1, `${via} ${key}`);
          const { t0 } = (await w.netifd.call('wan', { via, up, address: WAN })) as { t0: string };
          const [r] = await got;
          if (r.myip !== want || r.from !== want) throw new Error(`bench: ${via} ${key} sent ${r.myip} from ${r.from}, expected ${want} from ${want}`);
          times[key].push(msBetween(t0, r.t));
          // Let the check finish (state written) before the next event: pacing, not a measurement.
          await sleep(15);
        }
      }
      out[via] = { failover: percentiles(times.failover), failback: percentiles(times.failback) };
    }
  } finally {
    await d.stop();
    await w.netifd.call('addresses', { wan: '203.0.113.1', wanb: '203.0.113.2' });
  }
  return out;
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
    if (part('costs')) {
      log('requests per change (fake REST servers)');
      const fake = await FakeRest.start();
      const perChange: Record<string, unknown> = {};
      for (const p of REST_PROVIDERS) {
        const c = await restCosts(fake, p);
        perChange[p] = { create_and_verify: c.create.requests, next_change: c.change.requests, after_reboot: c.restart.requests, verified: c.create.verified && c.change.verified && c.restart.verified };
      }
      await fake.close();
      results.requests_per_change = perChange;
    }

    const bare = part('startup') || part('memory') ? buildBareSea(dir) : undefined;
    if (bare && part('startup')) {
      log('start-up: --version against a print-only SEA');
      results.startup = { version: versionRatio(bare) };
    }

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

    const reaction: Record<string, unknown> = {};
    const mem: Record<string, Memory> = {};
    if (part('one')) {
      log('1 service: start, idle, reactions');
      const one = await startAndSettle(w, 1, 'one');
      daemons.push(one.d);
      const startup = (results.startup ?? {}) as Record<string, unknown>;
      results.startup = Object.assign(startup, { run_to_object_ms: Math.round(one.toObject * 10) / 10, run_to_first_request_ms: Math.round(one.toFirst * 10) / 10 });
      await sleep(SETTLE_MS);
      mem.services_1 = memory(one.d.pid);
      const before = cpuSample(one.d.pid);
      const reqBefore = w.arrivals.total;
      await sleep(IDLE_WINDOW_MS);
      const after = cpuSample(one.d.pid);
      results.idle = {
        window_s: IDLE_WINDOW_MS / 1000, services: 1, requests: w.arrivals.total - reqBefore, cpu_ms: after.cpuMs - before.cpuMs,
        wakeups_main_thread: after.wakeupsMain - before.wakeupsMain, wakeups_all_threads: after.wakeupsAll - before.wakeupsAll,
      };
      reaction.services_1 = await reactions(w, 1);
      await one.d.stop();
    }
    if (part('ten')) {
      log('10 services: start, reactions');
      const ten = await startAndSettle(w, 10, 'ten');
      daemons.push(ten.d);
      await sleep(SETTLE_MS);
      mem.services_10 = memory(ten.d.pid);
      reaction.services_10 = await reactions(w, 10);
      await ten.d.stop();
    }
    if (Object.keys(reaction).length) results.reaction_ms = reaction;
    if (part('soak')) {
      log(`status soak (10 services, ${SOAK_WARMUP_CALLS} + ${SOAK_CALLS} calls)`);
      const status = await statusSoak(w);
      log(`address-change soak (1 service, ${SOAK_WARMUP_CHANGES} + ${SOAK_CHANGES} changes)`);
      const address = await addressSoak(w);
      results.soak = { status_calls: status, address_changes: address };
    }
    if (part('failover')) {
      log(`failover and failback (2 WANs, ${FAILOVER_ROUNDS} rounds each through mwan3 and netifd)`);
      results.failover_ms = await failover(w);
    }
    if (part('hundred')) {
      log('100 services: idle memory');
      const hundred = await startAndSettle(w, 100, 'hundred');
      daemons.push(hundred.d);
      await sleep(SETTLE_MS);
      mem.services_100 = memory(hundred.d.pid);
      await hundred.d.stop();
    }
    if (bare && part('memory')) {
      const floor = await floorMemory(bare);
      const memory: Record<string, unknown> = { runtime_floor: floor, ...mem };
      for (const n of [1, 10, 100]) {
        const m = mem[`services_${n}`];
        if (m) memory[`own_private_dirty_${n}`] = m.private_dirty - floor.private_dirty;
      }
      results.memory_kib = memory;
    }
    if (part('boot')) {
      log('boot with an unreachable resolver');
      // Its own world and daemon (test/bench/boot.ts): the seed lookup cut at its bound.
      results.boot_unreachable_resolver = await benchBootSilentResolver(EXE);
    }
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
    if (!FULL) results.parts = [...PARTS];
    results.goals = goals(results);
  } finally {
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    for (const a of actors) a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // A partial run (BENCH_PARTS) never replaces the full results.
  const out = FULL ? join(ROOT, 'bench', 'results.json') : join(ROOT, 'dist', 'bench-partial.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  printTable(results, out.slice(ROOT.length + 1));
}

/** The executable's bytes: the file itself, or the router build's staging tree when dist/ddnsd starts it. */
function exeSize(): number {
  const text = readFileSync(EXE).subarray(0, 2).toString();
  const stage = join(ROOT, 'dist', 'stage', 'x86_64', 'usr', 'lib', 'ddnsd');
  return text === '#!' && existsSync(stage) ? sizeOf(stage) : sizeOf(EXE);
}

/** Each goal of issue 11 whose figures this run measured: true when met. */
function goals(r: Record<string, unknown>): Record<string, boolean> {
  const g = (path: string): number => path.split('.').reduce((o: unknown, k) => (o as Record<string, unknown>)?.[k], r) as number;
  const all: Record<string, [string[], () => boolean]> = {
    reaction_p99_1_service_le_15ms: [['reaction_ms.services_1'], () => g('reaction_ms.services_1.netifd.p99') <= 15 && g('reaction_ms.services_1.hotplug.p99') <= 15],
    reaction_p99_last_of_10_le_40ms: [['reaction_ms.services_10'], () => g('reaction_ms.services_10.netifd_last.p99') <= 40 && g('reaction_ms.services_10.hotplug_last.p99') <= 40],
    idle_requests_zero: [['idle'], () => g('idle.requests') === 0],
    version_ratio_le_1_4: [['startup.version'], () => g('startup.version.ratio') <= 1.4],
    own_private_dirty_1_le_3mib: [['memory_kib.own_private_dirty_1'], () => g('memory_kib.own_private_dirty_1') <= 3 * 1024],
    own_private_dirty_100_le_6mib: [['memory_kib.own_private_dirty_100'], () => g('memory_kib.own_private_dirty_100') <= 6 * 1024],
    status_soak_growth_lt_0_5mib: [['soak.status_calls'], () => g('soak.status_calls.growth_kib') < 512],
    address_soak_growth_lt_0_5mib: [['soak.address_changes'], () => g('soak.address_changes.growth_kib') < 512],
  };
  const out: Record<string, boolean> = {};
  for (const [name, [needs, met]] of Object.entries(all)) if (needs.every((k) => g(k) !== undefined)) out[name] = met();
  return out;
}

function printTable(r: Record<string, unknown>, written: string): void {
  const rows: [string, string][] = [];
  const p = (x: Percentiles) => `p50 ${x.p50}  p90 ${x.p90}  p99 ${x.p99}  max ${x.max}  (n ${x.n})`;
  const re = r.reaction_ms as Record<string, Record<string, Percentiles>> | undefined;
  if (re?.services_1) {
    rows.push(['reaction, netifd → request, 1 service (ms)', p(re.services_1.netifd)]);
    rows.push(['reaction, hotplug → request, 1 service (ms)', p(re.services_1.hotplug)]);
  }
  if (re?.services_10) {
    rows.push(['reaction, netifd → last of 10 requests (ms)', p(re.services_10.netifd_last)]);
    rows.push(['reaction, hotplug → last of 10 requests (ms)', p(re.services_10.hotplug_last)]);
  }
  const fo = r.failover_ms as Record<string, Record<string, Percentiles>> | undefined;
  for (const [via, x] of Object.entries(fo ?? {})) {
    rows.push([`failover, ${via} wan down → request with wanb's address (ms)`, p(x.failover)]);
    rows.push([`failback, ${via} wan back → request with wan's address (ms)`, p(x.failback)]);
  }
  const st = r.startup as { version?: Record<string, number>; run_to_object_ms?: number; run_to_first_request_ms?: number } | undefined;
  if (st?.version) rows.push(['--version / print-only SEA (median of paired ratios)', `${st.version.ratio}  (${st.version.ddnsd_median_ms} ms / ${st.version.print_only_sea_median_ms} ms)`]);
  if (st?.run_to_object_ms !== undefined) {
    rows.push(['run → ddnsd object on the bus (ms)', String(st.run_to_object_ms)]);
    rows.push(['run → first update request (ms)', String(st.run_to_first_request_ms)]);
  }
  const idle = r.idle as Record<string, number> | undefined;
  if (idle) rows.push([`idle ${idle.window_s} s, 1 service`, `${idle.requests} requests, ${idle.wakeups_main_thread} main-thread wake-ups (${idle.wakeups_all_threads} all threads), ${idle.cpu_ms} ms CPU`]);
  const m = r.memory_kib as Record<string, (Memory & number) | undefined> | undefined;
  const mm = (x: Memory) => `RSS ${x.rss}  PSS ${x.pss}  Private_Clean ${x.private_clean}  Private_Dirty ${x.private_dirty}`;
  if (m?.runtime_floor) rows.push(['memory KiB, empty runtime (floor)', mm(m.runtime_floor)]);
  for (const n of [1, 10, 100]) {
    const x = m?.[`services_${n}`];
    if (x) rows.push([`memory KiB, idle, ${n} service${n > 1 ? 's' : ''}`, `${mm(x)}  (own Private_Dirty ${m?.[`own_private_dirty_${n}`]})`]);
  }
  type Soak = { baseline: { private_dirty_kib: number }; samples: { private_dirty_kib: number; heap_private_dirty_kib: number }[]; growth_kib: number; heap_growth_kib: number };
  const s = r.soak as { status_calls: Soak; address_changes: Soak } | undefined;
  if (s) {
    const series = (x: Soak) => `${x.baseline.private_dirty_kib} | ${x.samples.map((y) => y.private_dirty_kib).join(' ')}`;
    rows.push([`Private_Dirty KiB: after ${SOAK_WARMUP_CALLS} status calls | each 10,000 more`, series(s.status_calls)]);
    rows.push(['  growth after warm-up (KiB), of it malloc\'s [heap]', `${s.status_calls.growth_kib}, ${s.status_calls.heap_growth_kib}`]);
    rows.push([`Private_Dirty KiB: after ${SOAK_WARMUP_CHANGES} address changes | each 1,000 more`, series(s.address_changes)]);
    rows.push(['  growth after warm-up (KiB), of it malloc\'s [heap]', `${s.address_changes.growth_kib}, ${s.address_changes.heap_growth_kib}`]);
  }
  const sz = r.size_bytes as { executable: number; packages: Record<string, number> };
  rows.push(['executable (bytes)', String(sz.executable)]);
  for (const [k, v] of Object.entries(sz.packages)) rows.push([`  ${k}`, String(v)]);
  for (const [k, v] of Object.entries((r.requests_per_change ?? {}) as Record<string, Record<string, number>>)) {
    rows.push([`requests, ${k} (create+verify / next change / after reboot)`, `${v.create_and_verify} / ${v.next_change} / ${v.after_reboot}`]);
  }
  for (const x of (r.boot_unreachable_resolver as { name: string; value: string }[] | undefined) ?? []) rows.push([x.name, x.value]);
  for (const [k, v] of Object.entries(r.goals as Record<string, boolean>)) rows.push([`goal ${k}`, v ? 'met' : 'MISSED']);
  const wdt = Math.max(...rows.map((x) => x[0].length));
  const mc = r.machine as Record<string, unknown>;
  console.log(`ddnsd bench: ${r.executable} on ${mc.cpus} × ${mc.cpu_model}, Linux ${mc.kernel} (${r.duration_s} s)${r.parts ? `, parts ${(r.parts as string[]).join(',')}` : ''}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(wdt)}  ${v}`);
  console.log(`written to ${written}`);
}

if (process.argv[2] === '--role') {
  void runActor(process.argv[3] as Role, process.argv.slice(4));
} else {
  main().catch((e) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
