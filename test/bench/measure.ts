/** What the bench reads about a process from /proc, and the percentiles it prints. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A named figure of a bench part that prints its own rows (test/bench/boot.ts). */
export interface BenchRow {
  name: string;
  value: string;
}

export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, in the unit given, rounded to 0.01. */
export function percentiles(xs: number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)];
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(q(0.5)), p90: r(q(0.9)), p99: r(q(0.99)), max: r(s[s.length - 1]) };
}

export function median(xs: number[]): number {
  return percentiles(xs).p50;
}

/** KiB from /proc/PID/smaps_rollup. */
export interface Memory {
  rss: number;
  pss: number;
  private_clean: number;
  private_dirty: number;
  anonymous: number;
}

export function memory(pid: number): Memory {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('Rss'), pss: kb('Pss'), private_clean: kb('Private_Clean'), private_dirty: kb('Private_Dirty'), anonymous: kb('Anonymous') };
}

/** KiB of Private_Dirty in the `[heap]` mapping (glibc malloc's main arena, outside V8's heap). */
export function mallocHeap(pid: number): number {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  let kib = 0;
  for (const block of text.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    if (!block.split('\n', 1)[0].trimEnd().endsWith(' [heap]')) continue;
    kib += Number(/^Private_Dirty:\s+(\d+) kB/m.exec(block)?.[1] ?? 0);
  }
  return kib;
}

/** CPU time (ms, user + system, all threads) and context switches (main thread and all threads). */
export interface CpuSample {
  cpuMs: number;
  wakeupsMain: number;
  wakeupsAll: number;
}

function switches(statusText: string): number {
  const v = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(statusText)?.[1] ?? 0);
  const nv = Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(statusText)?.[1] ?? 0);
  return v + nv;
}

export function cpuSample(pid: number): CpuSample {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  let all = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      all += switches(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    } catch {
      // A thread that ended in between.
    }
  }
  return { cpuMs: ticks * 10, wakeupsMain: switches(readFileSync(`/proc/${pid}/status`, 'utf8')), wakeupsAll: all };
}

/** Bytes of a file, or of every file under a directory. */
export function sizeOf(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of readdirSync(path)) total += sizeOf(join(path, e));
  return total;
}
