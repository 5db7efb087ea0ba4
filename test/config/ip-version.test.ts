import t from 'tap';
import { errorsOf, formatProblem, loadConfig } from '../../src/config/schema';
import { PROVIDERS } from '../../src/providers/registry';

// A family the provider cannot update is refused by check (issue 12: "allowed with which
// ip_version"), with the real registry: Namecheap and DNS-O-Matic update A records only.

const svc = (provider: string, body: string) => `
config service 's'
	option provider '${provider}'
	option domain 'home.example.com'
${body}`;
const errors = (text: string) => errorsOf(loadConfig(text, { providers: PROVIDERS }).problems).map((p) => formatProblem(p));

t.test('ip_version against the provider\'s families', async (t) => {
  const nc = "\toption password 'ddns-password'\n";
  t.same(errors(svc('namecheap', `${nc}\toption ip_version '4'\n`)), [], 'namecheap, IPv4: accepted');
  t.match(errors(svc('namecheap', `${nc}\toption ip_version '6'\n`)), [/^s\.ip_version: provider namecheap updates IPv4 records only \(A\), not IPv6: set ip_version '4' \(line \d+\)$/]);
  t.match(errors(svc('namecheap', `${nc}\toption ip_version 'both'\n`)), [/provider namecheap updates IPv4 records only .*not IPv6: set ip_version '4', and use another provider for the IPv6 record/]);
  t.match(errors(svc('namecheap', `${nc}\toption use_ipv6 '1'\n`)), [/^s\.use_ipv6: provider namecheap updates IPv4 records only/], 'the old use_ipv6 is named when it is what asked');
  const dom = "\toption username 'u'\n\toption password 'p'\n";
  t.match(errors(svc('dnsomatic', `${dom}\toption ip_version '6'\n`)), [/provider dnsomatic updates IPv4 records only/]);
  const cf = "\toption api_token 'tok-123'\n\toption zone 'example.com'\n";
  t.same(errors(svc('cloudflare', `${cf}\toption ip_version 'both'\n`)), [], 'cloudflare, both families: accepted');
});
