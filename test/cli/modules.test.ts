import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node22 } from '../support/runtime';

/**
 * What the CLI's common paths load: the builtin modules of `ddnsd --version` and `ddnsd check`
 * are pinned, and none of `--version`, `check`, `providers`, `import` loads networking, crypto,
 * child processes or vm (src/ loads those where they are first used).
 *
 * How it is observed without a hook in the shipped code: a preload given with `--require`
 * records Node's own `process.moduleLoadList` when the process exits. It runs the bundle
 * (dist/ddnsd.cjs) under the Node 22 binary the executable is built from, and the executable
 * itself through NODE_OPTIONS, which Node's single-executable runtime honours as any Node does;
 * the executable must load nothing beyond what its bundle loads.
 */

const ROOT = join(__dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'ddnsd.cjs');
const EXE = join(ROOT, 'dist', 'ddnsd');

/** The public builtins (internal/ ones left out) `--version` and `check` load on Node 22. */
const PINNED = ['async_hooks', 'buffer', 'diagnostics_channel', 'events', 'fs', 'fs/promises', 'net', 'os', 'path', 'process', 'querystring', 'stream', 'stream/promises', 'string_decoder', 'timers', 'url', 'util'];
// --version alone is answered before the CLI is loaded (src/cli/main.ts): only what Node's own start loads.
const VERSION_PINNED = PINNED.filter((m) => !['fs/promises', 'os', 'process'].includes(m));
const pinned = (name: string) => (name === '--version' ? VERSION_PINNED : PINNED);
const NEVER_ON_CLI = ['http', 'https', 'tls', '_tls_wrap', 'crypto', 'dgram', 'child_process', 'vm', 'dns', 'dns/promises', 'readline', 'zlib', 'worker_threads'];

const dir = mkdtempSync(join(tmpdir(), 'ddnsd-modules-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const preload = join(dir, 'record.cjs');
writeFileSync(preload, `'use strict';
process.on('exit', () => {
  const names = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  require('node:fs').writeFileSync(process.env.DDNSD_MODULES_OUT, JSON.stringify(names));
});
`);
const config = join(dir, 'ddnsd');
writeFileSync(config, `config ddnsd 'global'

config service 'home'
\toption enabled '1'
\toption provider 'cloudflare'
\toption api_token 'abc123'
\toption zone 'example.com'
\tlist domain 'home.example.com'
\toption ip_source 'web'
\toption ip_url 'https://ip.example.net/'
\toption ip_regex '([0-9.]+)'

config service 'tsig'
\toption enabled '1'
\toption provider 'rfc2136'
\toption server '127.0.0.1'
\toption key_name 'k'
\toption key_secret 'c2VjcmV0'
\tlist domain 'a.example.com'
`);
const ddnsConfig = join(dir, 'ddns');
writeFileSync(ddnsConfig, `config service 'myddns'
\toption enabled '1'
\toption service_name 'duckdns.org'
\toption domain 'x.duckdns.org'
\toption username 'x'
\toption password 'token'
`);

interface Loaded {
  status: number | null;
  stderr: string;
  builtins: string[];
  all: string[];
}

function loaded(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Loaded {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  // Through `env -i`: tap adds its loaders (NODE_OPTIONS) and coverage (NODE_V8_COVERAGE) to
  // every child it sees spawned, and those load modules of their own.
  const vars = Object.entries({ PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, DDNSD_MODULES_OUT: out }).map(([k, v]) => `${k}=${v}`);
  const r = spawnSync('env', ['-i', ...vars, cmd, ...args], { encoding: 'utf8', timeout: 60_000 });
  const all: string[] = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : [];
  return { status: r.status, stderr: r.stderr, all, builtins: [...new Set(all.filter((m) => !m.startsWith('internal/')))].sort() };
}

const commands: [string, string[]][] = [
  ['--version', ['--version']],
  ['check', ['check', '--config', config]],
  ['providers', ['providers']],
  ['import', ['import', '--from', ddnsConfig, '--dry-run']],
];

t.test('the bundle on the executable\'s Node 22', { skip: !existsSync(BUNDLE) && `${BUNDLE} is not built (make dist/ddnsd.cjs)` }, async (t) => {
  const node = node22();
  const bare = loaded(node, ['--require', preload, '-e', '0']);
  t.ok(bare.builtins.length > 0, 'the preload records what a bare Node loads');
  for (const [name, args] of commands) {
    const r = loaded(node, ['--require', preload, BUNDLE, ...args]);
    t.equal(r.status, 0, `${name} exits 0 (${r.stderr.trim()})`);
    t.ok(r.all.length > 0, `${name}: the module list was recorded`);
    t.same(r.builtins.filter((m) => NEVER_ON_CLI.includes(m)), [], `${name} loads none of ${NEVER_ON_CLI.join(', ')}`);
    if (name === '--version' || name === 'check') {
      t.strictSame(r.builtins, pinned(name), `${name} loads exactly the pinned public builtins`);
      t.comment(`${name}: ${r.all.length} builtin modules (internal included); a bare Node: ${bare.all.length}`);
    }
  }
});

t.test('the executable loads no more than its bundle', { skip: !existsSync(EXE) && `${EXE} is not built (make dist/ddnsd)` }, async (t) => {
  for (const [name, args] of commands.slice(0, 2)) {
    const fromBundle = loaded(node22(), ['--require', preload, BUNDLE, ...args]);
    const r = loaded(EXE, args, { NODE_OPTIONS: `--require ${preload}` });
    t.equal(r.status, 0, `${name} exits 0 (${r.stderr.trim()})`);
    t.ok(r.all.length > 0, `${name}: the executable honoured NODE_OPTIONS and the list was recorded`);
    t.strictSame(r.builtins, pinned(name), `${name}: the executable loads exactly the pinned public builtins`);
    const extra = r.all.filter((m) => !fromBundle.all.includes(m));
    t.strictSame(extra, [], `${name}: no builtin beyond the bundle's (internal ones included)`);
  }
});
