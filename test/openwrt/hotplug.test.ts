// The hotplug script (/etc/hotplug.d/iface/95-ddnsd), sourced as hotplug-call sources it,
// with the jshn.sh and ubus stand-ins from test/support/openwrt. Checks: the JSON handed to
// `ubus call ddnsd notify` carries hostile INTERFACE/DEVICE values exactly and nothing in
// them runs; the script returns before ubus does; other actions send nothing; a missing
// daemon makes no noise.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, ok } from '../support/openwrt/helpers';
import { NOTIFY_ACTIONS, ddnsdMethods, type DaemonApi } from '../../src/engine/object';

const SUPPORT = join(REPO, 'test/support/openwrt');
const JSHN = '/usr/share/libubox/jshn.sh';

/**
 * The script under test with one change: the absolute path of jshn.sh points at the
 * stand-in (Debian has no /usr/share/libubox). Everything else runs verbatim.
 */
function scriptFor(dir: string): string {
  const text = readFileSync(join(REPO, 'openwrt/files/ddnsd.hotplug'), 'utf8');
  if (text.split(JSHN).length !== 2) throw new Error(`expected exactly one ${JSHN} in the hotplug script`);
  const file = join(dir, '95-ddnsd');
  writeFileSync(file, text.replace(JSHN, join(SUPPORT, 'jshn.sh')));
  return file;
}

interface Result {
  code: number | null;
  output: string;
  /** The ubus argument vector, or undefined when ubus was not called. */
  argv?: string[];
}

/**
 * Source the script like hotplug-call does (`( . script )` with the event in the
 * environment). Resolves once the shell and everything it started (the background ubus)
 * have exited: they all hold the extra pipe on fd 3 open until then. With `gate`, ubus
 * blocks until the test opens the gate, which happens only after the shell has exited.
 */
function hotplug(dir: string, env: Record<string, string>, opts: { gate?: boolean; down?: boolean } = {}): Promise<Result> {
  const script = scriptFor(dir);
  const record = join(dir, 'ubus.json');
  const gate = join(dir, 'gate');
  if (opts.gate) ok('mkfifo', [gate]);
  const child = spawn('sh', ['-c', '( . "$1" )', 'hotplug-call', script], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: {
      PATH: `${SUPPORT}:${process.env.PATH}`,
      JSHN_STANDIN_DIR: SUPPORT,
      UBUS_RECORD: record,
      ...(opts.gate ? { UBUS_GATE: gate } : {}),
      ...(opts.down ? { UBUS_DOWN: '1' } : {}),
      HOTPLUG_TYPE: 'iface',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    let code: number | null = null;
    child.on('error', reject);
    child.on('exit', (c) => {
      code = c;
      // The shell is gone; ubus (if called) must still be waiting at the gate.
      if (opts.gate) {
        if (existsSync(record)) reject(new Error('ubus finished before the hotplug script returned'));
        else writeFileSync(gate, 'go\n');
      }
    });
    child.on('close', () => {
      const argv = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as string[]) : undefined;
      resolve({ code, output, argv });
    });
  });
}

function notify(argv: string[] | undefined) {
  if (!argv) throw new Error('ubus was not called');
  const [t0, t1, call, obj, method, json, ...rest] = argv;
  return { prefix: [t0, t1, call, obj, method], json: JSON.parse(json) as unknown, rest };
}

const HOSTILE = [
  `wan"; touch pwned-quote; echo "`,
  `$(touch pwned-subst)`,
  '`touch pwned-backtick`',
  'wan\ntouch pwned-newline\n',
  `it's \\"deep\\" \\u0041 \t tab`,
  '${HOME} $PATH * ?',
  `'; touch pwned-single; '`,
  'wän 🛜',
];

for (const value of HOSTILE) {
  t.test(`hostile INTERFACE ${JSON.stringify(value)} reaches ubus as data`, async (t) => {
    const dir = t.testdir();
    const r = await hotplug(dir, { ACTION: 'ifup', INTERFACE: value, DEVICE: `pppoe-${value}` });
    t.equal(r.code, 0);
    t.equal(r.output, '', 'silent');
    const n = notify(r.argv);
    t.same(n.prefix, ['-t', '2', 'call', 'ddnsd', 'notify']);
    t.same(n.json, { interface: value, action: 'ifup', device: `pppoe-${value}` });
    t.same(n.rest, []);
    t.same(readdirSync(dir).filter((f) => f.startsWith('pwned')), [], 'nothing was executed');
  });
}

// connected / disconnected: as mwan3track sends them (env -i ACTION INTERFACE DEVICE, openwrt/packages net/mwan3 usr/sbin/mwan3track).
for (const action of ['ifup', 'ifupdate', 'ifdown', 'connected', 'disconnected']) {
  t.test(`${action} is sent; the script returns before ubus answers`, async (t) => {
    const env: Record<string, string> = { ACTION: action, INTERFACE: 'wan' };
    if (action !== 'ifdown') env.DEVICE = 'eth1';
    if (action === 'ifupdate') env.IFUPDATE_ADDRESSES = '1';
    const r = await hotplug(t.testdir(), env, { gate: true });
    t.equal(r.code, 0);
    t.same(notify(r.argv).json, action === 'ifdown' ? { interface: 'wan', action } : { interface: 'wan', action, device: 'eth1' });
  });
}

for (const action of ['ifup-failed', 'iflink', 'free', 'connecting', 'disconnecting', '']) {
  t.test(`ACTION=${JSON.stringify(action)} sends nothing`, async (t) => {
    const r = await hotplug(t.testdir(), { ACTION: action, INTERFACE: 'wan', DEVICE: 'eth1' });
    t.equal(r.code, 0);
    t.equal(r.argv, undefined);
    t.equal(r.output, '');
  });
}

t.test('no INTERFACE sends nothing', async (t) => {
  const r = await hotplug(t.testdir(), { ACTION: 'ifup' });
  t.equal(r.code, 0);
  t.equal(r.argv, undefined);
});

t.test('daemon not running: ubus fails, the script stays silent and exits 0', async (t) => {
  const r = await hotplug(t.testdir(), { ACTION: 'ifup', INTERFACE: 'wan', DEVICE: 'eth1' }, { down: true });
  t.equal(r.code, 0);
  t.equal(r.output, '', 'no "Command failed" in the hotplug log');
  t.same(notify(r.argv).json, { interface: 'wan', action: 'ifup', device: 'eth1' }, 'it did try');
});

t.test('the jshn stand-in escapes like JSON (checked against JSON.parse)', async (t) => {
  const dir = t.testdir();
  const out = ok('sh', ['-c', `. "$1"; json_init; json_add_string a "$2"; json_add_int n 42; json_add_boolean b 1; json_dump`, 'sh', join(SUPPORT, 'jshn.sh'), 'x"\\\n\u0001'], {
    cwd: dir,
    env: { ...process.env, JSHN_STANDIN_DIR: SUPPORT },
  });
  t.same(JSON.parse(out), { a: 'x"\\\n\u0001', n: 42, b: true });
});

t.test("what the script sends matches the daemon's notify method", async (t) => {
  const notifyDef = ddnsdMethods(new Proxy({}, { get: () => () => undefined }) as unknown as DaemonApi).notify;
  const r = await hotplug(t.testdir(), { ACTION: 'ifup', INTERFACE: 'wan', DEVICE: 'eth1' });
  const json = notify(r.argv).json as Record<string, unknown>;
  for (const [k, v] of Object.entries(json)) {
    t.equal(notifyDef.args?.[k], 'string', `notify declares ${k} as a string`);
    t.type(v, 'string');
  }
  const text = readFileSync(join(REPO, 'openwrt/files/ddnsd.hotplug'), 'utf8');
  const listed = /^\t([a-z|]+)\) ;;$/m.exec(text)?.[1].split('|') ?? [];
  t.same(listed, [...NOTIFY_ACTIONS], 'the same actions');
});
