import t from 'tap';
import { inspect } from 'node:util';
import { hideUserinfo, redact, Secret } from '../../src/util/secret';

t.test('a Secret prints as a mask every way', async (t) => {
  const s = new Secret('hunter2-xyz');
  t.equal(`${s}`, '***');
  t.equal(String(s), '***');
  t.equal(JSON.stringify({ s }), '{"s":"***"}');
  t.equal(inspect(s), 'Secret(***)');
  t.equal(s.reveal(), 'hunter2-xyz');
});

t.test('redact masks every form a secret takes on the wire', async (t) => {
  const pw = 'Cheap pass*(8)!';
  const cases: [string, string][] = [
    ['raw', pw],
    ['encodeURIComponent', encodeURIComponent(pw)],
    ['form encoding (URLSearchParams)', new URLSearchParams({ p: pw }).toString().slice(2)],
    ['base64', Buffer.from(pw).toString('base64')],
  ];
  for (const [what, form] of cases) {
    const out = redact(`before ${form} after`, [new Secret(pw)]);
    t.equal(out, 'before *** after', what);
  }
});

t.test('redact hides a secret inside a Basic auth header whatever the user name length', async (t) => {
  const pw = 'S3cret-Pa55word!';
  for (const user of ['bob', 'al', 'alice', 'x']) {
    const header = Buffer.from(`${user}:${pw}`).toString('base64');
    const out = redact(`you sent Basic ${header}`, [new Secret(pw)]);
    t.not(out, `you sent Basic ${header}`, `user ${user}: masked`);
    const left = out.replace(/^you sent Basic /, '').split('***').join('');
    // What stays readable decodes to the user name and at most two bytes of the secret at each end.
    t.ok(left.length <= 12, `user ${user}: only the edges remain (${out})`);
  }
});

t.test('hideUserinfo masks the password of URLs in a text, nothing else', async (t) => {
  t.equal(hideUserinfo("endpoint 'ftp://u:pw@dyn.example/x' and https://a:b:c@h/"), "endpoint 'ftp://u:***@dyn.example/x' and https://a:***@h/");
  t.equal(hideUserinfo('https://user@h/ and http://h:8080/a@b'), 'https://user@h/ and http://h:8080/a@b', 'no password, or a port: unchanged');
});
