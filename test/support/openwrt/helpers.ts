// Shared helpers for the packaging tests: run a program, and read archives with the
// system's tar and gzip (never with the packer's own code).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..', '..');
export const PACKER = join(REPO, 'openwrt', 'tools', 'ipk.cjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000, ...opts });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run and fail loudly unless the exit code is 0. */
export function ok(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export interface TarEntry {
  mode: string; // e.g. "-rwxr-xr-x"
  owner: string; // "0/0"
  size: number;
  time: string; // "2023-11-14 22:13:20" (UTC)
  name: string;
}

/** `tar -tv` of a (gzip'd) tar file, with numeric owners and full UTC times. */
export function listTar(file: string): TarEntry[] {
  const out = ok('tar', ['--numeric-owner', '--full-time', '-tvzf', file], { env: { ...process.env, TZ: 'UTC' } });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+) (\S+)\s+(\d+) (\S+ \S+) (.*)$/.exec(line);
      if (!m) throw new Error(`unexpected tar -tv line: ${line}`);
      return { mode: m[1], owner: m[2], size: Number(m[3]), time: m[4], name: m[5] };
    });
}

/** A minimal ELF header for `machine` (e_machine), followed by a marker payload. */
export function fakeElf(machine: number, marker: string): Buffer {
  const head = Buffer.alloc(64);
  head.writeUInt32BE(0x7f454c46, 0);
  head[4] = 2; // 64-bit
  head[5] = 1; // little-endian
  head[6] = 1; // version
  head.writeUInt16LE(2, 16); // ET_EXEC
  head.writeUInt16LE(machine, 18);
  return Buffer.concat([head, Buffer.from(`fake ddnsd ${marker}\n`)]);
}
