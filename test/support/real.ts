/**
 * Tests that need a real server or tool (BIND's named, the built executable, root for
 * namespaces): where it is missing they skip on a developer's machine, but in CI (CI=true)
 * a missing one fails the run, so a CI machine without it cannot go green without them.
 */

export const IN_CI = process.env.CI === 'true';

interface Plannable {
  fail(message: string): unknown;
  plan(n: number, comment?: string): void;
}

/** Inside a test: say what is missing, then skip (plan 0), or fail in CI. */
export function missingReal(t: Plannable, why: string, ci = IN_CI): void {
  if (ci) t.fail(`${why} (CI=true: tests that need a real server or tool must run, not skip)`);
  else t.plan(0, why);
}

/** For a test's `skip` option: the reason where skipping is allowed; false in CI, so the test runs and its own check fails. */
export function skipUnlessCi(why: string | false | undefined, ci = IN_CI): string | false {
  return why && !ci ? why : false;
}
