import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real BIND 9 `named` for one test: a temp dir with a config holding TSIG keys and one
 * dynamic zone, listening on 127.0.0.1 at a free port, run in the foreground as the
 * current user, and killed (dir removed) by `stop()`.
 */

export interface BindKey {
  name: string;
  algorithm: 'hmac-sha256' | 'hmac-sha512';
  secret: string;
}

export interface BindServer {
  port: number;
  dir: string;
  zone: string;
  /** sha256 and sha512 may update the zone; `other` is known to named but not admitted by allow-update. */
  keys: { sha256: BindKey; sha512: BindKey; other: BindKey };
  /** What named wrote to stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export const ZONE = 'example.test';

/** Path of `named`, or undefined when BIND is not installed. */
export function namedPath(): string | undefined {
  for (const p of ['/usr/sbin/named', '/usr/local/sbin/named']) {
    if (spawnSync(p, ['-v']).status === 0) return p;
  }
  const which = spawnSync('sh', ['-c', 'command -v named']);
  const out = which.stdout?.toString().trim();
  return which.status === 0 && out ? out : undefined;
}

/** A port free for both UDP and TCP on 127.0.0.1 at the moment of asking. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port on 127.0.0.1');
}

function zoneFile(): string {
  return [
    '$TTL 300',
    `@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 86400 60`,
    `@ IN NS ns1.${ZONE}.`,
    'ns1 IN A 127.0.0.1',
    'old IN A 192.0.2.1',
    'old IN AAAA 2001:db8::1',
    '',
  ].join('\n');
}

function namedConf(dir: string, port: number, keys: BindKey[], outsiders: BindKey[], querylog: boolean): string {
  const keyBlocks = [...keys, ...outsiders].map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`);
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    ...(querylog ? ['  querylog yes;'] : []),
    '};',
    'controls { };',
    ...keyBlocks,
    `zone "${ZONE}" { type primary; file "${ZONE}.db"; allow-update { ${keys.map((k) => `key "${k.name}";`).join(' ')} }; };`,
    '',
  ].join('\n');
}

/**
 * Start named; resolves once it logs that it is running. Undefined when named is absent.
 * `querylog`: named also logs every query (with the address it came from) to `output()`;
 * updates are logged with theirs either way.
 */
export async function startBind(opts: { querylog?: boolean } = {}): Promise<BindServer | undefined> {
  const named = namedPath();
  if (!named) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-bind-'));
  const port = await freePort();
  const keys = {
    sha256: { name: 'ddnsd-sha256', algorithm: 'hmac-sha256' as const, secret: randomBytes(32).toString('base64') },
    sha512: { name: 'ddnsd-sha512', algorithm: 'hmac-sha512' as const, secret: randomBytes(64).toString('base64') },
    other: { name: 'ddnsd-other', algorithm: 'hmac-sha256' as const, secret: randomBytes(32).toString('base64') },
  };
  writeFileSync(join(dir, `${ZONE}.db`), zoneFile());
  writeFileSync(join(dir, 'named.conf'), namedConf(dir, port, [keys.sha256, keys.sha512], [keys.other], opts.querylog ?? false));
  const child = spawn(named, ['-g', '-n', '1', '-c', join(dir, 'named.conf'), '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  // If the test process dies without stop(), named must not outlive it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  await waitRunning(child, () => output, dir);
  return {
    port, dir, zone: ZONE, keys,
    output: () => output,
    stop: () => stop(child, dir),
  };
}

function waitRunning(child: ChildProcess, output: () => string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    const fail = (why: string) => {
      clearTimeout(safety);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`named did not start: ${why}\n${output()}`));
    };
    // A safety net only: named normally reports "running" well before this.
    const safety = setTimeout(() => fail('no "running" line within 30 s'), 30_000);
    child.stderr!.on('data', () => {
      if (/ running$/m.test(output())) {
        clearTimeout(safety);
        child.off('exit', onExit);
        resolve();
      }
    });
    child.once('exit', onExit);
  });
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  rmSync(dir, { recursive: true, force: true });
}
