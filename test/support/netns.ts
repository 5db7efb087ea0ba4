import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { IN_CI } from './real';

/**
 * Tests on the real kernel's network stack, inside a network namespace the test makes for
 * itself: the test file runs again under `unshare -n` (a fresh namespace that dies with the
 * process, so nothing is left to clean up), and its TAP output becomes a subtest of the
 * outer run. Inside, only loopback and veth pairs the test adds exist: no traffic can leave
 * the machine. Dummy devices are avoided on purpose: they are IFF_NOARP, so the kernel skips
 * duplicate address detection on them, and their module is missing on some hosts.
 */

const FLAG = 'DDNSD_TEST_NETNS';

/** True in the copy of the test file that runs inside the namespace. */
export const insideNetns = process.env[FLAG] === '1';

type SpawnTap = Pick<Test, 'spawn' | 'fail' | 'pass'>;

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const r = spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (r.error) return `cannot run unshare: ${r.error.message}`;
  if (r.status !== 0) return `unshare -n failed (${(r.stderr || '').trim() || `exit ${r.status}`}): network namespaces need root or CAP_SYS_ADMIN`;
  return undefined;
}

/**
 * Outside: run `file` again in a new network namespace, as a subtest. Where namespaces are
 * unavailable the test skips, except in CI (CI=true), where that is a failure.
 */
export function runInNetns(t: SpawnTap, file: string, name: string): void {
  const why = netnsUnavailable();
  if (why) {
    if (IN_CI) t.fail(`${name}: ${why} (CI=true: tests that need a real server or tool must run, not skip)`);
    else t.pass(`${name}: skipped, ${why}`, { skip: true });
    return;
  }
  t.spawn('unshare', ['-n', process.execPath, ...process.execArgv, file], { env: { ...process.env, [FLAG]: '1' } }, name);
}

const run = promisify(execFile);

/** `ip ARGS` in the current (test-made) namespace; throws with ip's own message. */
export async function ip(...args: string[]): Promise<string> {
  if (!insideNetns) throw new Error('ip() is only for the copy of a test running inside its own namespace');
  try {
    return (await run('ip', args)).stdout;
  } catch (e) {
    throw new Error(`ip ${args.join(' ')}: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
  }
}

/** Write a sysctl of this namespace (/proc/sys/net/... is per namespace). */
export async function sysctl(path: string, value: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(`/proc/sys/${path.replace(/\./g, '/')}`, value);
}

/** Loopback up, and a veth pair `a`–`b`, both up (carrier on, so IPv6 DAD runs on them). */
export async function vethPair(a = 'va', b = 'vb'): Promise<void> {
  await ip('link', 'set', 'lo', 'up');
  await ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  await ip('link', 'set', a, 'up');
  await ip('link', 'set', b, 'up');
}

/**
 * A black hole: an address on `dev`'s subnet whose neighbour entry names a MAC nobody has,
 * so packets to it leave without error and vanish (no ARP failure, no ICMP).
 */
export async function blackHole(dev: string, address: string): Promise<void> {
  await ip('neigh', 'replace', address, 'lladdr', '02:00:00:00:00:99', 'dev', dev, 'nud', 'permanent');
}
