import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { scriptSource } from '../../src/detect/script';
import { FakeClock, settle } from '../../src/util/clock';
import { nullLogger } from '../../src/util/log';

const ctx = { log: nullLogger };
const dir = mkdtempSync(join(tmpdir(), 'ddnsd-script-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

const src = (argv: string[], allowPrivate = false, clock?: FakeClock) => scriptSource({ argv, allowPrivate }, { clock });

t.test('addresses of the asked family are taken from stdout, other text ignored', async (t) => {
  const ok = script('ok.sh', 'echo "wan address: 198.51.100.5"; echo "v6: 2001:DB8::5,"');
  t.equal(src([ok]).kind, 'script');
  t.equal(src([ok]).signalsChanges, false);
  const v4 = await src([ok]).detect(4, ctx);
  t.equal(v4.address, '198.51.100.5');
  t.same(v4.candidates, [{ address: '198.51.100.5', origin: 'script', kept: true, reason: 'chosen: documentation (TEST-NET-2), stable, lifetime unknown (the only usable address)' }]);
  t.equal((await src([ok]).detect(6, ctx)).address, '2001:db8::5');
});

t.test('arguments are passed as a vector: nothing is interpreted by a shell', async (t) => {
  const out = join(dir, 'args.txt');
  const echo = script('args.sh', `printf '%s\\n' "$@" > '${out}'; echo 198.51.100.6`);
  const hostile = ['$(touch pwned)', '`touch pwned2`', 'a b', '; touch pwned3', "'quoted'", '*'];
  const d = await scriptSource({ argv: [echo, ...hostile], allowPrivate: false }).detect(4, ctx);
  t.equal(d.address, '198.51.100.6');
  t.equal(readFileSync(out, 'utf8'), hostile.join('\n') + '\n');
  for (const f of ['pwned', 'pwned2', 'pwned3']) t.notOk(existsSync(join(process.cwd(), f)) || existsSync(join(dir, f)), `${f} not created`);
});

t.test('selection rules apply to what the script prints', async (t) => {
  const mixed = script('mixed.sh', 'echo 10.0.0.1 198.51.100.9');
  const d = await src([mixed]).detect(4, ctx);
  t.equal(d.address, '198.51.100.9');
  t.match(d.candidates[0].reason, /private/);
  const priv = script('priv.sh', 'echo 10.0.0.1; echo 100.64.2.2');
  const none = await src([priv]).detect(4, ctx);
  t.match(none.error, /^ip_script .*priv\.sh printed no usable IPv4 address: 10\.0\.0\.1 \(private.*; 100\.64\.2\.2 \(carrier-grade NAT/);
  t.equal((await src([priv], true).detect(4, ctx)).address, '10.0.0.1');
});

t.test('failures are named with exit code, stderr and the program', async (t) => {
  const fail = script('fail.sh', 'echo 198.51.100.1; echo "no route to host" >&2; exit 3');
  t.match((await src([fail]).detect(4, ctx)).error, /^ip_script .*fail\.sh exited with code 3; stderr: "no route to host"$/);
  const quiet = script('quiet.sh', 'exit 1');
  t.match((await src([quiet]).detect(4, ctx)).error, /^ip_script .*quiet\.sh exited with code 1$/);
  const hello = script('hello.sh', 'echo hello world');
  t.match((await src([hello]).detect(6, ctx)).error, /printed no IPv6 address: "hello world"$/);
  t.equal((await src([join(dir, 'missing.sh')]).detect(4, ctx)).error, `ip_script ${join(dir, 'missing.sh')} not found`);
  const noexec = script('noexec.sh', 'echo 198.51.100.1', 0o644);
  t.match((await src([noexec]).detect(4, ctx)).error, /cannot be run \(permission denied: is it executable\?\)/);
  t.equal((await src([]).detect(4, ctx)).error, 'ip_script is empty: name the program to run');
  t.match((await src([hello, 'a\u0000b']).detect(4, ctx)).error, /^ip_script .*hello\.sh could not start: /);
  const loud = script('loud.sh', 'i=0; while [ $i -lt 20000 ]; do echo 198.51.100.1; i=$((i+1)); done');
  t.match((await src([loud]).detect(4, ctx)).error, /printed more than 64 KiB$/);
});

/** Wait (bounded) for a file the script writes once it is running. */
async function waitFor(path: string): Promise<boolean> {
  for (let i = 0; i < 500 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 10));
  return existsSync(path);
}

function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

t.test('timeout on the injected clock kills the script and what it started', async (t) => {
  const pidfile = join(dir, 'child.pid');
  const hang = script('hang.sh', `sleep 300 & echo $! > '${pidfile}.tmp'; mv '${pidfile}.tmp' '${pidfile}'; wait`);
  const clock = new FakeClock();
  const pending = src([hang], false, clock).detect(4, ctx);
  t.ok(await waitFor(pidfile), 'script started');
  await clock.advance(9_999);
  let done = false;
  void pending.then(() => { done = true; });
  await settle();
  t.notOk(done, 'still running before the timeout');
  await clock.advance(1);
  const d = await pending;
  t.match(d.error, /^ip_script .*hang\.sh did not finish within 10 s and was killed$/);
  const child = Number(readFileSync(pidfile, 'utf8'));
  let dead = false;
  for (let i = 0; i < 500 && !(dead = gone(child)); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(dead, 'the background child of the script was killed too');
});

t.test('abort stops the script', async (t) => {
  const pidfile = join(dir, 'abort.pid');
  const hang = script('hang2.sh', `echo $$ > '${pidfile}.tmp'; mv '${pidfile}.tmp' '${pidfile}'; exec sleep 300`);
  const ac = new AbortController();
  const pending = src([hang], false, new FakeClock()).detect(4, { log: nullLogger, signal: ac.signal });
  t.ok(await waitFor(pidfile));
  ac.abort();
  t.match((await pending).error, /was stopped \(aborted\)$/);
});
