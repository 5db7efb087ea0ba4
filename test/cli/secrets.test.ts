import t from 'tap';
import { cli, scratch } from './cli-support';

/**
 * `ddnsd check` and `ddnsd import --dry-run` print configuration problems and converted
 * sections to a screen: secret values must not be among them, even when the values are
 * malformed (the message then says what is wrong without quoting them).
 */

const SECRETS = ['Pw-0ne!secret', 'T0ken-In-Url-abc', 'Pr0xyPw-x', 'Key-S3cret-z', 'Enc-S3cret-y', 'Endp0int-pw'];

t.test('check: malformed secret values are named, never quoted', async (t) => {
  const file = scratch(t)('ddnsd', `config ddnsd 'global'

config service 'a'
	option provider 'dyndns2'
	list domain 'a.example.com'
	option username 'alice'
	list password 'Pw-0ne!secret'
	list password 'second'
	option proxy 'user:Pr0xyPw-x@not a host'
	option endpoint 'ftp://u:Endp0int-pw@dyn.example'

config service 'b'
	option provider 'custom'
	list domain 'b.example.com'
	option update_url 'http:x.example/T0ken-In-Url-abc/?ip=[IP]&h=[HOST]'
	option param_enc 'Enc-S3cret-y'
	option answer '(('

config service 'c'
	option provider 'nosuch'
	list domain 'c.example.com'
	option api_key 'Key-S3cret-z'
`);
  const r = await cli('check', '--config', file);
  t.equal(r.code, 1);
  const all = r.out + r.err;
  t.match(all, /a\.proxy: \(hidden value\) is not allowed/);
  for (const s of SECRETS) t.notOk(all.includes(s), `${s} is not shown`);
});

t.test('import --dry-run: secrets of every kind are masked in the printed sections and notes', async (t) => {
  const dir = scratch(t);
  const from = dir('ddns', `config service 'one'
	option enabled '1'
	option service_name 'dyndns.org'
	option domain 'one.example.com'
	option username 'alice'
	option password 'Pw-0ne!secret'
	option proxy 'user:Pr0xyPw-x@10.0.0.1:3128'

config service 'two'
	option enabled '1'
	option update_url 'https://dyn.example/T0ken-In-Url-abc/?ip=[IP]&d=[DOMAIN]&k=[PARAMENC]'
	option param_enc 'Enc-S3cret-y'
	option domain 'two.example.com'
`);
  const r = await cli('import', '--from', from, '--to', dir('ddnsd'), '--dry-run');
  const all = r.out + r.err;
  t.match(all, /dry run: would append/);
  t.match(all, /option password '\*\*\*'/);
  for (const s of SECRETS) t.notOk(all.includes(s), `${s} is not shown`);
});
