// The uci-defaults script that imports ddns-scripts' services on first install. It runs
// verbatim inside a private mount namespace whose /etc and /usr/share are test directories;
// `ddnsd import` and `logger` are stand-ins on PATH (test/support/openwrt).
import t from 'tap';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, ok } from '../support/openwrt/helpers';
import { canUnshare, inRootfs } from '../support/openwrt/rootfs';
import { sharedPath } from '../support/shared';

const SUPPORT = join(REPO, 'test/support/openwrt');
const DEFAULT = readFileSync(join(REPO, 'openwrt/files/ddnsd.config'), 'utf8');
const DDNS = readFileSync(sharedPath('fixtures/uci/cases/82-ddns-default.conf'), 'utf8');
const skip = !canUnshare() && 'needs root and mount namespaces (unshare -m)';

interface Box {
  dir: string;
  run(env?: Record<string, string>): { code: number | null; stdout: string; stderr: string };
  ddnsd(): string | undefined;
  imports(): string[][];
  logs(): string[];
}

/** A router filesystem with the given /etc/config files and the packaged files in place. */
function router(dir: string, config: { ddns?: string; ddnsd?: string }, program?: string): Box {
  for (const d of ['etc/config', 'etc/uci-defaults', 'share/ddnsd', 'bin']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(join(REPO, 'openwrt/files/ddnsd.uci-defaults'), join(dir, 'etc/uci-defaults/95-ddnsd'));
  copyFileSync(join(REPO, 'openwrt/files/ddnsd.config'), join(dir, 'share/ddnsd/ddnsd.config'));
  if (program) writeFileSync(join(dir, 'bin/ddnsd'), program, { mode: 0o755 });
  else copyFileSync(join(SUPPORT, 'ddnsd-import.cjs'), join(dir, 'bin/ddnsd'));
  copyFileSync(join(SUPPORT, 'logger'), join(dir, 'bin/logger'));
  if (config.ddns !== undefined) writeFileSync(join(dir, 'etc/config/ddns'), config.ddns);
  if (config.ddnsd !== undefined) writeFileSync(join(dir, 'etc/config/ddnsd'), config.ddnsd);
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  return {
    dir,
    run: (env = {}) =>
      inRootfs(
        [
          { bind: join(dir, 'etc'), at: '/etc' },
          { bind: join(dir, 'share'), at: '/usr/share' },
        ],
        // As /etc/init.d/boot and default_postinst run it: sourced in a subshell.
        ['sh', '-c', 'cd /etc/uci-defaults && ( . ./95-ddnsd )'],
        {
          env: {
            PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
            DDNSD_RECORD: join(dir, 'ddnsd.calls'),
            LOGGER_RECORD: join(dir, 'logger.calls'),
            ...env,
          },
        },
      ),
    ddnsd: () => read(join(dir, 'etc/config/ddnsd')),
    imports: () => (read(join(dir, 'ddnsd.calls')) ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]),
    logs: () => (read(join(dir, 'logger.calls')) ?? '').split('\n').filter(Boolean),
  };
}

const IMPORT = ['import', '--from', '/etc/config/ddns', '--to', '/etc/config/ddnsd'];

t.test('first install over the shipped default: imports once, then never again', { skip }, async (t) => {
  const box = router(t.testdir(), { ddns: DDNS, ddnsd: DEFAULT });
  let r = box.run();
  t.equal(r.code, 0, r.stderr);
  t.same(box.imports(), [IMPORT]);
  const after = box.ddnsd()!;
  t.match(after, /config service 'myddns_ipv4'/);
  t.match(after, /config service 'myddns_ipv6'/);
  t.ok(after.startsWith(DEFAULT), 'the default sections are kept');
  t.match(box.logs()[0], /^-t ddnsd imported the services of \/etc\/config\/ddns into \/etc\/config\/ddnsd/);

  r = box.run(); // an upgrade runs the script again
  t.equal(r.code, 0, r.stderr);
  t.same(box.imports(), [IMPORT], 'no second import');
  t.equal(box.ddnsd(), after, 'configuration unchanged by the second run');
});

t.test('no /etc/config/ddnsd yet: imports', { skip }, async (t) => {
  const box = router(t.testdir(), { ddns: DDNS });
  t.equal(box.run().code, 0);
  t.same(box.imports(), [IMPORT]);
  t.match(box.ddnsd()!, /myddns_ipv4/);
});

t.test("the user's own configuration is never touched", { skip }, async (t) => {
  const mine = "config ddnsd 'global'\n\toption log_level 'debug'\n\nconfig service 'home'\n\toption provider 'cloudflare'\n";
  const box = router(t.testdir(), { ddns: DDNS, ddnsd: mine });
  t.equal(box.run().code, 0);
  t.same(box.imports(), []);
  t.equal(box.ddnsd(), mine);
  t.same(box.logs(), []);
});

t.test('an edited default (example kept, any byte changed) counts as the user\'s', { skip }, async (t) => {
  const edited = DEFAULT.replace("option log_level 'info'", "option log_level 'debug'");
  t.not(edited, DEFAULT);
  const box = router(t.testdir(), { ddns: DDNS, ddnsd: edited });
  t.equal(box.run().code, 0);
  t.same(box.imports(), []);
  t.equal(box.ddnsd(), edited);
});

t.test('a global section without services still counts as empty', { skip }, async (t) => {
  const bare = "config ddnsd 'global'\n\toption log_level 'warn'\n";
  const box = router(t.testdir(), { ddns: DDNS, ddnsd: bare });
  t.equal(box.run().code, 0);
  t.same(box.imports(), [IMPORT]);
});

t.test('nothing to import: no ddns file, or one without services', { skip }, async (t) => {
  for (const ddns of [undefined, "config ddns 'global'\n\toption upd_privateip '0'\n"]) {
    const box = router(t.testdir(), { ddns, ddnsd: DEFAULT });
    t.equal(box.run().code, 0);
    t.same(box.imports(), []);
    t.equal(box.ddnsd(), DEFAULT);
  }
});

t.test('a failed import is logged, exits 0 and leaves the configuration as it was', { skip }, async (t) => {
  const box = router(t.testdir(), { ddns: DDNS, ddnsd: DEFAULT });
  const r = box.run({ DDNSD_FAIL: '1' });
  t.equal(r.code, 0, 'exit 0: boot and postinst go on');
  t.equal(r.stdout + r.stderr, '');
  t.equal(box.ddnsd(), DEFAULT);
  t.same(box.logs(), ['-t ddnsd could not import /etc/config/ddns: ddnsd: cannot read /etc/config/ddns: line 3: unterminated quote']);
});

t.test('disable ddns-scripts only when every service it ran imported ready (import exit 0 or 4)', { skip }, async (t) => {
  const cases: [string, RegExp, RegExp | undefined][] = [
    ['4', /every service ddns-scripts ran is ready: disable ddns-scripts/, undefined],
    ['5', /keep ddns-scripts running until they are fixed.*summary line$/, /disable ddns-scripts/],
  ];
  for (const [code, says, never] of cases) {
    const box = router(t.testdir(), { ddns: DDNS, ddnsd: DEFAULT });
    const r = box.run({ DDNSD_EXIT: code });
    t.equal(r.code, 0, `exit ${code}: the script still exits 0`);
    t.match(box.ddnsd()!, /myddns_ipv4/, 'what was imported stays');
    t.match(box.logs()[0], says, `exit ${code}`);
    if (never) t.notMatch(box.logs()[0], never, `exit ${code}: never tells to disable ddns-scripts`);
  }
});

t.test('with the real `ddnsd import` (bundled from src/): imports once, idempotent', { skip }, async (t) => {
  const dir = t.testdir();
  const bundle = join(dir, 'ddnsd.cjs');
  ok(join(REPO, 'node_modules/.bin/esbuild'), [join(REPO, 'src/cli/main.ts'), '--bundle', '--platform=node', '--log-level=error', `--outfile=${bundle}`]);
  const box = router(join(dir, 'box'), { ddns: DDNS, ddnsd: DEFAULT }, `#!/bin/sh\nexec "${process.execPath}" "${bundle}" "$@"\n`);
  let r = box.run();
  t.equal(r.code, 0, r.stderr);
  const after = box.ddnsd()!;
  t.not(after, DEFAULT, 'services were added');
  t.match(after, /config service '?example'?/, 'the shipped example stays');
  t.match(after, /myddns/, "ddns-scripts' services are there");
  t.match(box.logs()[0] ?? '', /^-t ddnsd imported the services/);
  r = box.run();
  t.equal(r.code, 0, r.stderr);
  t.equal(box.ddnsd(), after, 'a second run changes nothing');
  const mine = "config service 'home'\n\toption provider 'cloudflare'\n";
  const own = router(join(dir, 'own'), { ddns: DDNS, ddnsd: mine }, `#!/bin/sh\nexec "${process.execPath}" "${bundle}" "$@"\n`);
  t.equal(own.run().code, 0);
  t.equal(own.ddnsd(), mine, "the user's configuration is untouched");
});
