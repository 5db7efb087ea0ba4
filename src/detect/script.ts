import type * as childProcess from 'node:child_process';
import { parseAddress } from '../net/address';
import { systemClock, type Clock } from '../util/clock';
import { failed, selectAddress, toDetection } from './select';
import { quote } from './text';
import type { Detection, DetectContext, Family, Source } from './types';

// Loaded on first use (see test/cli/modules.test.ts): the CLI's common paths never need it.
const childProcessModule = (): typeof childProcess => require('node:child_process') as typeof childProcess;

/**
 * Source `script`: run `ip_script` (an argument vector, never through a shell, so nothing in
 * the configuration is interpreted) and take the addresses of the family it prints on stdout.
 * The script gets its own process group, so a timeout kills whatever it started too: a
 * forgotten child holding stdout open would otherwise keep the check waiting forever.
 */

export const DEFAULT_SCRIPT_TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 64 * 1024;

export interface ScriptSourceOptions {
  argv: string[];
  allowPrivate: boolean;
  timeoutMs?: number;
}

export interface ScriptDeps {
  /** The timeout's time (tests pass a FakeClock). */
  clock?: Clock;
}

interface RunResult {
  stdout: string;
  stderr: string;
  /** Why the run does not count, or undefined when it exited 0. */
  failure?: string;
}

function spawnFailure(name: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return `ip_script ${name} not found`;
  if (e.code === 'EACCES') return `ip_script ${name} cannot be run (permission denied: is it executable?)`;
  return `ip_script ${name} could not start: ${e.message}`;
}

function run(argv: string[], timeoutMs: number, clock: Clock, signal?: AbortSignal): Promise<RunResult> {
  const name = argv[0];
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let child: childProcess.ChildProcess;
    try {
      child = childProcessModule().spawn(name, argv.slice(1), { shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      // Invalid arguments (a NUL byte) throw at once instead of emitting 'error'.
      return resolve({ stdout: '', stderr: '', failure: spawnFailure(name, e as NodeJS.ErrnoException) });
    }
    const finish = (failure?: string) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      resolve({ stdout, stderr, failure });
    };
    const killAll = (why: string) => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(why);
    };
    const onAbort = () => killAll(`ip_script ${name} was stopped (aborted)`);
    const timer = clock.after(timeoutMs, () => killAll(`ip_script ${name} did not finish within ${timeoutMs / 1000} s and was killed`));
    signal?.addEventListener('abort', onAbort);
    const collect = (which: 'out' | 'err') => (chunk: Buffer) => {
      if (which === 'out') stdout += chunk.toString('utf8');
      else stderr += chunk.toString('utf8');
      if (stdout.length + stderr.length > MAX_OUTPUT) killAll(`ip_script ${name} printed more than ${MAX_OUTPUT / 1024} KiB`);
    };
    child.stdout?.on('data', collect('out'));
    child.stderr?.on('data', collect('err'));
    child.on('error', (e) => finish(spawnFailure(name, e)));
    child.on('close', (code, sig) => {
      if (code === 0) return finish();
      const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
      finish(`ip_script ${name} ${how}${stderr.trim() ? `; stderr: ${quote(stderr, 200)}` : ''}`);
    });
  });
}

export function scriptSource(opts: ScriptSourceOptions, deps: ScriptDeps = {}): Source {
  const clock = deps.clock ?? systemClock;
  return {
    kind: 'script',
    signalsChanges: false,
    async detect(family: Family, ctx: DetectContext): Promise<Detection> {
      if (!opts.argv.length || !opts.argv[0]) return failed(family, 'ip_script is empty: name the program to run');
      const r = await run(opts.argv, opts.timeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS, clock, ctx.signal);
      if (r.failure) return failed(family, r.failure);
      // Every token that is an address of this family, in order; other text is ignored.
      const found = r.stdout.split(/[\s,;]+/).filter((w) => parseAddress(w)?.family === family);
      if (!found.length) return failed(family, `ip_script ${opts.argv[0]} printed no IPv${family} address: ${quote(r.stdout)}`);
      const sel = selectAddress(family, found.map((address) => ({ address, origin: 'script' })), { allowPrivate: opts.allowPrivate });
      return toDetection(sel, [], `ip_script ${opts.argv[0]} printed no usable IPv${family} address`);
    },
  };
}
