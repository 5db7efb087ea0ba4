import t from 'tap';
import { cli, GOOD, scratch } from './cli-support';

t.test('a good file: exit 0 and one summary line', async (t) => {
  const file = scratch(t)('ddnsd', GOOD);
  const r = await cli('check', '--config', file);
  t.equal(r.code, 0);
  t.equal(r.out, `${file}: OK, 1 service (1 enabled)\n`);
  t.equal(r.err, '');
});

t.test('a broken file: exit 1 and one line per problem, SECTION.OPTION: message (line N)', async (t) => {
  const text = GOOD.replace("option enabled '1'", "option enabled 'perhaps'").replace("option username 'alice'", "option ip_version 'seven'") +
    "\nconfig service 'second'\n\toption provider 'nosuch'\n\toption domain 'b.example.com'\n";
  const file = scratch(t)('ddnsd', text);
  const r = await cli('check', '--config', file);
  t.equal(r.code, 1);
  const lines = r.out.trimEnd().split('\n');
  t.match(lines, [
    /^home\.username: required by provider dyndns2 \(Username\) \(line 4\)$/,
    /^home\.enabled: 'perhaps' is not allowed; use 1 or 0 .*\(line 5\)$/,
    /^home\.ip_version: 'seven' is not allowed; use 4, 6, both \(line 9\)$/,
    /^second\.provider: unknown provider 'nosuch' .*\(line 13\)$/,
  ]);
  t.equal(lines.length, 4, 'one line per problem');
  t.notMatch(r.out + r.err, 'S3cr3t-pw!');
  t.equal(r.err, `${file}: 4 problems; skipped: home, second\n`);
});

t.test('bad notify sections: one line each naming the option; the services still count', async (t) => {
  const text = GOOD + `
config notify 'phone'
	option type 'ntfy'
	option url 'https://ntfy.sh/t'
	option priority '9'

config notify 'ops'
	option type 'gotify'
	option url 'http://gotify.example.com'
	option token 'GotifyT0ken!'

config notify 'hook'
	option type 'webhook'
	option url 'https://hooks.example.com/ddnsd'
`;
  const file = scratch(t)('ddnsd', text);
  const r = await cli('check', '--config', file);
  t.equal(r.code, 1);
  const lines = r.out.trimEnd().split('\n');
  t.match(lines, [
    /^phone\.priority: '9' is not allowed; use a whole number from 1 to 5 for ntfy \(line \d+\)$/,
    /^ops\.url: sends token in clear over plain http to gotify\.example\.com: .*allow_insecure_http '1' to accept that \(line \d+\)$/,
  ]);
  t.equal(lines.length, 2);
  t.notMatch(r.out + r.err, 'GotifyT0ken!');
  t.equal(r.err, `${file}: 2 problems; skipped: notify phone, notify ops\n`);
  const good = scratch(t)('good', GOOD + "\nconfig notify 'hook'\n\toption type 'webhook'\n\toption url 'https://hooks.example.com/x'\n");
  const ok = await cli('check', '--config', good);
  t.equal(ok.code, 0);
  t.equal(ok.out, `${good}: OK, 1 service (1 enabled), 1 notify section\n`);
  const json = JSON.parse((await cli('check', '--config', good, '--json')).out);
  t.same([json.notify, json.rejected_notify], [[{ name: 'hook', type: 'webhook', enabled: true }], []]);
});

t.test('warnings alone do not fail', async (t) => {
  const file = scratch(t)('ddnsd', GOOD + "\toption colour 'blue'\n");
  const r = await cli('check', '--config', file);
  t.equal(r.code, 0);
  t.match(r.out, /^home\.colour: warning: unknown option .* \(line 11\)\n.*OK, 1 service \(1 enabled\), 1 warning\n$/);
});

t.test('a parse error names the file and the line', async (t) => {
  const file = scratch(t)('ddnsd', "config service 'a'\n\toption provider 'dyndns2'\n\tbogus x\n");
  const r = await cli('check', '--config', file);
  t.equal(r.code, 1);
  t.match(r.out, `${file}: parse error (invalid command) at line 3, byte 1`);
});

t.test('a missing file is a clear error, not a stack trace', async (t) => {
  const file = scratch(t)('absent');
  const r = await cli('check', '--config', file);
  t.equal(r.code, 1);
  t.equal(r.err, `ddnsd: cannot read ${file}: no such file\n`);
});

t.test('--json', async (t) => {
  const file = scratch(t)('ddnsd', GOOD + "\nconfig service 'bad'\n\toption provider 'dyndns2'\n");
  const r = await cli('check', '--config', file, '--json');
  t.equal(r.code, 1);
  const j = JSON.parse(r.out);
  t.equal(j.ok, false);
  t.same(j.services, [{ name: 'home', provider: 'dyndns2', enabled: true, domains: ['home.example.com'], ip_version: '4' }]);
  t.same(j.rejected, ['bad']);
  t.match(j.problems, [{ section: 'bad', severity: 'error' }]);
  t.notMatch(r.out, 'S3cr3t-pw!');
});

t.test('the default path is /etc/config/ddnsd', async (t) => {
  const r = await cli('check', '--help');
  t.equal(r.code, 0);
  t.match(r.out, /default: "\/etc\/config\/ddnsd"/);
});
