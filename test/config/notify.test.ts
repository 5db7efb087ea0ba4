import t from 'tap';
import { formatProblem, loadConfig } from '../../src/config/schema';
import { NOTIFY_RULES, sameNotify } from '../../src/config/notify';
import { providersReply } from '../../src/engine/providers-reply';
import { Secret } from '../../src/util/secret';
import { TEST_PROVIDERS } from './test-providers';

/** `config notify` sections: defaults, each rule, secrets kept out of problems, services unharmed. */

const load = (text: string) => loadConfig(text, { providers: TEST_PROVIDERS });
const TOKEN = 'tk_Sup3rS3cretT0ken';

const SERVICE = `
config service 'home'
	option provider 'dyn'
	option domain 'home.example.com'
	option username 'alice'
	option password 'S3cr3t-pw!'
`;

const lines = (text: string) => load(text).problems.map((p) => formatProblem(p));

t.test('a minimal ntfy section: enabled, every event, every service, no token, no priority', async (t) => {
  const cfg = load(SERVICE + "\nconfig notify 'phone'\n\toption type 'ntfy'\n\toption url 'https://ntfy.sh/my-topic'\n");
  t.same(cfg.problems, []);
  t.equal(cfg.services.length, 1);
  t.equal(cfg.notify!.length, 1);
  const n = cfg.notify![0];
  t.same({ name: n.name, enabled: n.enabled, type: n.type, url: n.url, token: n.token, events: n.events, services: n.services, priority: n.priority },
    { name: 'phone', enabled: true, type: 'ntfy', url: 'https://ntfy.sh/my-topic', token: undefined, events: ['update', 'blocked', 'unblocked'], services: [], priority: undefined });
});

t.test('every option: token as a Secret, filters, priority', async (t) => {
  const cfg = load(SERVICE + `
config notify 'ops'
	option enabled '0'
	option type 'gotify'
	option url 'https://gotify.example.com'
	option token '${TOKEN}'
	list event 'blocked'
	list event 'unblocked'
	list service 'home'
	option priority '8'
`);
  t.same(cfg.problems, []);
  const n = cfg.notify![0];
  t.ok(n.token instanceof Secret);
  t.equal(n.token!.reveal(), TOKEN);
  t.same([n.enabled, n.type, n.events, n.services, n.priority], [false, 'gotify', ['blocked', 'unblocked'], ['home'], 8]);
  t.notMatch(JSON.stringify(n), TOKEN, 'the token never serialises');
});

t.test('bad values: one problem each, naming section, option and what is allowed; the service still loads', async (t) => {
  const cfg = load(SERVICE + `
config notify 'a'
	option type 'pager'
	option url 'ftp://x'

config notify 'b'
	option type 'ntfy'
	option url 'https://ntfy.sh/t'
	option priority '7'
	list event 'update'
	list event 'changed'
	option enabled 'maybe'

config notify 'c'
	option type 'gotify'
	option url 'https://g.example.com'
	option priority '11'

config notify 'd'
	option url 'https://h.example.com/hook'
`);
  t.equal(cfg.services.length, 1, 'a bad notify section never stops a service');
  t.same(cfg.notify, []);
  t.same(cfg.rejectedNotify!.map((r) => r.name), ['a', 'b', 'c', 'd']);
  const got = cfg.problems.map((p) => formatProblem(p));
  t.match(got, [
    /^a\.type: 'pager' is not allowed; use webhook, ntfy, gotify \(line \d+\)$/,
    /^a\.url: 'ftp:\/\/x' is not allowed; use the http\(s\) URL the JSON is POSTed to/,
    /^b\.priority: '7' is not allowed; use a whole number from 1 to 5 for ntfy/,
    /^b\.event: 'changed' is not allowed; use update, blocked, unblocked/,
    /^b\.enabled: 'maybe' is not allowed; use 1 or 0/,
    /^c\.token: required for gotify/,
    /^c\.priority: '11' is not allowed; use a whole number from 0 to 10 for gotify/,
    /^d\.type: required: webhook, ntfy, gotify/,
  ]);
  t.equal(got.length, 8, 'one line per problem');
});

t.test('plain http: a token to a non-loopback host is refused unless allow_insecure_http', async (t) => {
  const base = `\nconfig notify 'hook'\n\toption type 'webhook'\n\toption token '${TOKEN}'\n`;
  const refused = lines(base + "\toption url 'http://hooks.example.com/x'\n");
  t.match(refused, [/^hook\.url: sends token in clear over plain http to hooks\.example\.com: .*allow_insecure_http '1'/]);
  t.notMatch(refused.join('\n'), TOKEN);
  const allowed = load(base + "\toption url 'http://hooks.example.com/x'\n\toption allow_insecure_http '1'\n");
  t.equal(allowed.notify!.length, 1);
  t.match(allowed.problems.map((p) => formatProblem(p)), [/^hook\.url: warning: sends token in clear .*allowed by option allow_insecure_http/]);
  t.same(lines(base + "\toption url 'http://127.0.0.1:8080/x'\n"), [], 'loopback is fine');
  t.same(lines(`\nconfig notify 'n'\n\toption type 'ntfy'\n\toption url 'http://ntfy.example.com/t'\n`), [], 'no credential: plain http is fine');
  t.match(lines(`\nconfig notify 'n'\n\toption type 'ntfy'\n\toption url 'http://u:pw@ntfy.example.com/t'\n`), [/^n\.url: sends user:password@ in the URL in clear/]);
});

t.test('gotify: a token in the URL is refused (it goes in a header)', async (t) => {
  const got = lines(`\nconfig notify 'g'\n\toption type 'gotify'\n\toption token 'abc'\n\toption url 'https://g.example.com/message?token=${TOKEN}'\n`);
  t.match(got, [/^g\.url: holds token= in its query: put the application token in option token/]);
  t.notMatch(got.join('\n'), TOKEN);
});

t.test('warnings: an unknown service, priority on a webhook, an unknown option, an unknown event list', async (t) => {
  const cfg = load(SERVICE + `
config notify 'w'
	option type 'webhook'
	option url 'https://h.example.com/'
	list service 'home'
	list service 'garage'
	option priority '3'
	option colour 'red'
`);
  t.equal(cfg.notify!.length, 1);
  t.match(cfg.problems.map((p) => formatProblem(p)), [
    /^w\.service: warning: 'garage' is not a service section of this file/,
    /^w\.priority: warning: only ntfy and gotify have a priority/,
    /^w\.colour: warning: unknown option for a notify section/,
  ]);
});

t.test('sameNotify: a reload tells an unchanged section from a changed one, token included', async (t) => {
  const text = (token: string, prio: string) => `\nconfig notify 'p'\n\toption type 'ntfy'\n\toption url 'https://ntfy.sh/t'\n\toption token '${token}'\n\toption priority '${prio}'\n`;
  const a = load(text('one', '3')).notify![0];
  t.ok(sameNotify(a, load(text('one', '3')).notify![0]));
  t.notOk(sameNotify(a, load(text('two', '3')).notify![0]), 'another token');
  t.notOk(sameNotify(a, load(text('one', '4')).notify![0]), 'another priority');
  t.notMatch(a.key, 'one', 'the key holds no token');
});

t.test('an unnamed notify section is an error', async (t) => {
  t.match(lines("config notify\n\toption type 'ntfy'\n\toption url 'https://ntfy.sh/t'\n"), [/notify sections need a name/]);
});

t.test('the published rules (providers reply notify_options) are the ones check applies', async (t) => {
  t.equal(providersReply([]).notify_options, NOTIFY_RULES, 'LuCI gets the very rules');
  const prio = NOTIFY_RULES.filter((r) => r.name === 'priority');
  t.same(prio.map((r) => [r.depends, r.min, r.max]), [[{ type: 'ntfy' }, 1, 5], [{ type: 'gotify' }, 0, 10]]);
  for (const r of prio) {
    const type = r.depends!.type;
    const accepts = (v: string) => load(`\nconfig notify 'n'\n\toption type '${type}'\n\toption url 'https://x.example.com/t'\n\toption token 't0k'\n\toption priority '${v}'\n`).notify!.length === 1;
    t.same([r.min! - 1, r.min, r.max, r.max! + 1, 'x'].map((v) => accepts(String(v))), [false, true, true, false, false], `${type}: min and max accepted, beyond refused`);
  }
  const choices = (name: string) => NOTIFY_RULES.find((r) => r.name === name)!.choices;
  t.same(choices('type'), ['webhook', 'ntfy', 'gotify']);
  t.same(choices('event'), ['update', 'blocked', 'unblocked']);
});
