import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program';

/** Run the CLI in-process, capturing what it prints. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/** A scratch directory removed when the test ends. */
export function scratch(t: { teardown(fn: () => void): void }): (name: string, text?: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return (name, text) => {
    const path = join(dir, name);
    if (text !== undefined) writeFileSync(path, text);
    return path;
  };
}

/** A service the real registry accepts: the generic dyndns2 provider (DESIGN.md). */
export const GOOD = `config ddnsd 'global'
	option log_level 'info'

config service 'home'
	option enabled '1'
	option provider 'dyndns2'
	option endpoint 'https://dyn.example.net/nic/update'
	list domain 'home.example.com'
	option username 'alice'
	option password 'S3cr3t-pw!'
`;
