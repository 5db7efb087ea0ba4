import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until, type World } from './world';

/** The real executable (`make dist/ddnsd`), started the way procd starts it, and its CLI. */

export const EXE = join(__dirname, '..', '..', 'dist', 'ddnsd');

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function runDaemon(t: { teardown(fn: () => unknown): void }, w: World, logLevel = 'debug'): Running {
  const child = spawn(EXE, ['run', '--config', w.configPath, '--socket', w.broker.socketPath, '--state-dir', w.stateDir, '--log-level', logLevel], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => out, exited };
}

export function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(EXE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    c.once('exit', (code) => resolve({ code, out, err }));
  });
}

export async function statusOf(w: World): Promise<Record<string, unknown>> {
  const r = await cli(['status', '--json', '--socket', w.broker.socketPath]);
  if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as Record<string, unknown>;
}

export function daemonUp(w: World): Promise<void> {
  return until(() => w.broker.objectPaths().includes('ddnsd'), 'the ddnsd object on the bus', 20_000);
}

/** Resident memory of a process in KiB (VmRSS), or undefined once it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
