import t from 'tap';
import { parseUci, ParseError, UciPackage } from '../../src/config/uci';
import { loadUciCases, ExpectedOk } from './uci-fixtures';

// Every case of shared/fixtures/uci (recorded from libuci at openwrt/uci 66127cd) must parse
// to the same sections, types, names, option order, option-vs-list and values; rejected
// cases must fail with libuci's reason, line and byte.

const cases = loadUciCases();

t.test('the corpus is complete', async (t) => {
  t.equal(cases.length, 84, '84 cases');
  t.equal(cases.filter((c) => c.expected.ok).length, 60, '60 accepted');
  t.equal(cases.filter((c) => c.exportText).length, 22, '22 with uci export output');
});

/** Our result in the fixture's shape; option order kept as an array of [name, value]. */
function shape(pkg: UciPackage) {
  return {
    package: pkg.name,
    sections: pkg.sections.map((s) => ({
      name: s.name,
      type: s.type,
      anonymous: s.anonymous,
      ...(s.anonymous ? { ref: s.ref } : {}),
      options: s.options.map((o) => [o.name, o.value]),
    })),
  };
}

function expectedShape(e: ExpectedOk) {
  return {
    package: e.package,
    sections: e.sections.map((s) => ({
      name: s.name,
      type: s.type,
      anonymous: s.anonymous,
      ...(s.anonymous ? { ref: s.ref } : {}),
      // JSON.parse keeps key order for non-integer keys; no fixture uses an integer-like name.
      options: Object.entries(s.options),
    })),
  };
}

for (const c of cases) {
  t.test(c.id, async (t) => {
    const e = c.expected;
    if (e.ok) {
      const names = e.sections.flatMap((s) => Object.keys(s.options));
      t.notOk(names.some((k) => /^\d+$/.test(k)), 'no integer-like option names (their JSON order is lost)');
      const got = parseUci(c.conf, e.package);
      t.same(shape(got), expectedShape(e));
      return;
    }
    let err: unknown;
    try {
      parseUci(c.conf, 'test');
    } catch (x) {
      err = x;
    }
    t.ok(err instanceof ParseError, 'rejected with a ParseError');
    if (!(err instanceof ParseError)) return;
    t.equal(err.reason, e.error, 'reason');
    t.equal(err.line, e.line, 'line');
    t.equal(err.byte, e.byte, 'byte');
    t.equal(`uci: Parse error (${err.reason}) at line ${err.line}, byte ${err.byte}`, e.message, 'uci message');
  });
}
