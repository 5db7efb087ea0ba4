import t from 'tap';
import { missingReal, skipUnlessCi } from './real';

// A test that needs a real server or tool skips on a developer's machine without it; in CI it fails.
t.test('missing real server: a skip outside CI, a failure in CI', async (t) => {
  const calls: string[] = [];
  const fake = { fail: (m: string) => void calls.push(`fail ${m}`), plan: (n: number, c?: string) => void calls.push(`plan ${n} ${c}`) };
  missingReal(fake, 'named is not installed', false);
  missingReal(fake, 'named is not installed', true);
  t.equal(calls[0], 'plan 0 named is not installed');
  t.match(calls[1], /^fail named is not installed \(CI=true: .*must run, not skip\)$/);
  t.equal(skipUnlessCi('no root', false), 'no root');
  t.equal(skipUnlessCi('no root', true), false, 'in CI the test runs, and fails on what is missing');
  t.equal(skipUnlessCi(false, false), false);
});
