import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GOOD, scratch } from './cli-support';
import { missingReal } from '../support/real';

// The real executable (built by `make dist/ddnsd`), when it exists: same behaviour as in-process.
const EXE = join(__dirname, '..', '..', 'dist', 'ddnsd');

t.test('dist/ddnsd check --config <broken file>', async (t) => {
  if (!existsSync(EXE)) return missingReal(t, 'dist/ddnsd is not built (make dist/ddnsd; make test builds it)');
  const file = scratch(t);
  const broken = file('ddnsd', GOOD.replace("option enabled '1'", "option enabled 'perhaps'").replace("list domain 'home.example.com'", "list domain 'not a name'"));
  const r = spawnSync(EXE, ['check', '--config', broken], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 1, 'exit 1');
  t.match(r.stdout, /^home\.enabled: 'perhaps' is not allowed; use 1 or 0 .*\(line 5\)$/m, 'names section and option');
  t.match(r.stdout, /^home\.domain: 'not a name' is not a DNS name; .*\(line 8\)$/m);
  t.match(r.stderr, `${broken}: 2 problems; skipped: home`);
  t.notMatch(r.stdout + r.stderr, /S3cr3t-pw!|at .*\.js:\d+/, 'no secret, no stack trace');
  const good = spawnSync(EXE, ['check', '--config', file('good', GOOD)], { encoding: 'utf8', timeout: 60_000 });
  t.equal(good.status, 0);
  t.match(good.stdout, /OK, 1 service \(1 enabled\)/);
});
