import t from 'tap';
import { boundedExec, RegexTimeout } from '../../src/util/regex';

t.test('an ordinary pattern matches as RegExp.exec does', async (t) => {
  const m = boundedExec(/ip=(\d+\.\d+\.\d+\.\d+)/, 'ok ip=203.0.113.7 done');
  t.equal(m?.[1], '203.0.113.7');
  t.equal(m?.index, 3);
  t.equal(boundedExec(/nothing/, 'text'), null);
  const g = /a/g;
  boundedExec(g, 'xa');
  t.equal(g.lastIndex, 2, 'the same RegExp object is used (lastIndex moves)');
});

t.test('a catastrophic pattern on a hostile text is stopped, and the next match works', async (t) => {
  // 2^40 backtracking steps: without the bound this never returns.
  t.throws(() => boundedExec(/^(a+)+$/, 'a'.repeat(40) + '!', 20), RegexTimeout);
  try {
    boundedExec(/(x+x+)+y/, 'x'.repeat(5000), 20);
    t.fail('expected a timeout');
  } catch (e) {
    t.match((e as Error).message, /regular expression took longer than 20 ms/);
  }
  t.equal(boundedExec(/b/, 'abc')?.index, 1, 'matching still works afterwards');
});

t.test('errors other than the timeout pass through', async (t) => {
  const bad = { exec: () => { throw new TypeError('boom'); } } as unknown as RegExp;
  t.throws(() => boundedExec(bad, 'x'), TypeError);
});
