import t from 'tap';
import { loadConfig } from '../../src/config/schema';
import { PROVIDERS } from '../../src/providers/registry';

const conf = (user: string) => `config service 'home'
\toption enabled '1'
\toption provider 'dyndns2'
\toption endpoint 'https://members.example.net'
\toption username '${user}'
\toption password 'pw-123456'
\toption domain 'home.example.net'
`;

t.test("a provider field's pattern is enforced: a dyndns2 user name cannot hold ':'", async (t) => {
  const bad = loadConfig(conf('me:you'), { providers: PROVIDERS });
  t.equal(bad.services.length, 0, 'the service is skipped');
  const p = bad.problems.find((x) => x.option === 'username');
  t.ok(p, 'the problem names the option');
  t.match(p?.message, /without ':'/);
  t.equal(p?.section, 'home');
  const good = loadConfig(conf('me'), { providers: PROVIDERS });
  t.equal(good.services.length, 1);
  t.same(good.problems.filter((x) => (x.severity ?? 'error') === 'error'), []);
});
