import t from 'tap';
import { parseUci, ParseError, UciPackage } from '../../src/config/uci';
import { exportPackage, formatSection, quoteUci } from '../../src/config/uci-writer';
import { loadUciCases } from './uci-fixtures';

// The .export.txt fixtures are libuci's own `uci export` output: ours must be byte-identical,
// and (where libuci's export round-trips) must read back to the same sections.

/** Line numbers differ between the original and the export; everything else must not. */
function withoutLines(p: UciPackage) {
  return p.sections.map((s) => ({ ...s, line: 0, options: s.options.map((o) => ({ ...o, line: 0 })) }));
}

const withExport = loadUciCases().filter((c) => c.exportText);

for (const c of withExport) {
  t.test(`${c.id}: export matches uci export`, async (t) => {
    if (!c.expected.ok) throw new Error('export fixture for a rejected case');
    const name = c.expected.package;
    const pkg = parseUci(c.conf, name);
    const text = exportPackage(pkg);
    t.equal(text, c.exportText!.toString('utf8'));
    if (c.id.startsWith('40-')) {
      // libuci writes the type `a#b` unquoted; reading it back makes `#b` a comment.
      const back = parseUci(text, name);
      t.same(back.sections.map((s) => [s.type, s.anonymous]), [['a', true]], 'reads back as type a, anonymous');
      return;
    }
    if (c.id.startsWith('41-')) {
      // The type `it's` is written unquoted too, so the re-read hits an unterminated quote.
      t.throws(() => parseUci(text, name), ParseError);
      return;
    }
    t.same(withoutLines(parseUci(text, name)), withoutLines(pkg), 'reads back to the same sections');
  });
}

t.test('quoting', async (t) => {
  t.equal(quoteUci("it's"), "'it'\\''s'");
  t.equal(quoteUci(''), "''");
  t.equal(
    formatSection({ type: 'service', name: 'x', options: [{ name: 'domain', value: ['a', 'b'] }, { name: 'p', value: 'q' }] }),
    "\nconfig service 'x'\n\tlist domain 'a'\n\tlist domain 'b'\n\toption p 'q'\n",
  );
  t.equal(formatSection({ type: 'host', name: 'cfg01fe63', anonymous: true, options: [] }), '\nconfig host\n');
});
