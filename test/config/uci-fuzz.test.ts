import { prng } from '../support/prng';
import t from 'tap';
import { parseUci, ParseError } from '../../src/config/uci';
import { exportPackage } from '../../src/config/uci-writer';
import { loadUciCases } from './uci-fixtures';

// 10,000 seeded random mutations of the accepted fixture files: each must give a result or a
// ParseError with a line number, never another exception. Accepted results must also survive
// our writer: export, re-parse, same sections (when the types are ones `uci export` can write).

const SEED = 0x5eed2026;
const ROUNDS = 10_000;


// Bytes that matter to the tokenizer, plus some that should not.
const ALPHABET = Buffer.from(` \t\n\r\n'"\\#;#\\'"xa1_-.@[]=:$\x00\x01\xc3\xa9\xff`, 'latin1');
const WORDS = ['config ', 'option ', 'list ', 'package ', 'c ', 'o ', 'l ', 'p ', "''", '""', '\\\n', '\\\r\n', ';', "';"];

function mutate(src: Buffer, r: () => number): Buffer {
  let b = Buffer.from(src);
  const steps = 1 + Math.floor(r() * 4);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(r() * (b.length + 1));
    const kind = Math.floor(r() * 6);
    if (kind === 0) b = Buffer.concat([b.subarray(0, at), ALPHABET.subarray(Math.floor(r() * ALPHABET.length)).subarray(0, 1), b.subarray(at)]);
    else if (kind === 1) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(r() * 3))]);
    else if (kind === 2) b = Buffer.concat([b.subarray(0, at), Buffer.from(WORDS[Math.floor(r() * WORDS.length)], 'latin1'), b.subarray(at)]);
    else if (kind === 3) b = b.subarray(0, at);
    else if (kind === 4 && at < b.length) b[at] = ALPHABET[Math.floor(r() * ALPHABET.length)];
    else {
      const len = Math.floor(r() * 40);
      b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
    }
  }
  return b;
}

const EXPORTABLE_TYPE = /^[A-Za-z0-9_.:@[\]=$-]+$/;

t.test(`${ROUNDS} seeded mutations (seed ${SEED.toString(16)})`, async (t) => {
  const sources = loadUciCases().filter((c) => c.expected.ok).map((c) => c.conf);
  const r = prng(SEED);
  let accepted = 0;
  let rejected = 0;
  let roundTrips = 0;
  const bad: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const input = mutate(sources[Math.floor(r() * sources.length)], r);
    try {
      const pkg = parseUci(input, 'test');
      accepted++;
      if (!pkg.sections.every((s) => EXPORTABLE_TYPE.test(s.type))) continue;
      const strip = (p: typeof pkg) => p.sections.map((s) => [s.name, s.type, s.anonymous, s.options.map((o) => [o.name, o.value])]);
      const back = parseUci(exportPackage(pkg), 'test');
      if (JSON.stringify(strip(back)) !== JSON.stringify(strip(pkg))) bad.push(`round trip #${i}: ${JSON.stringify(input.toString('latin1'))}`);
      else roundTrips++;
    } catch (err) {
      if (err instanceof ParseError && Number.isInteger(err.line) && err.line >= 0 && Number.isInteger(err.byte)) rejected++;
      else bad.push(`#${i}: ${String(err)} for ${JSON.stringify(input.toString('latin1'))}`);
    }
  }
  t.same(bad.slice(0, 5), [], 'only results and ParseErrors with a line number');
  t.equal(accepted + rejected, ROUNDS);
  // A mutation corpus that never produces both outcomes would prove nothing.
  t.ok(accepted > ROUNDS / 10, `accepted ${accepted}`);
  t.ok(rejected > ROUNDS / 10, `rejected ${rejected}`);
  t.ok(roundTrips > ROUNDS / 20, `round trips ${roundTrips}`);
});
