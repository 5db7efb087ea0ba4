import t from 'tap';
import { formatProblem } from '../../src/config/schema';
import type { LoadedConfig } from '../../src/config/types';
import { DYN, loadTest } from './test-providers';

/** Several WANs (list interface), holddown, bind_network and bind_wan. */

const load = loadTest;

function only(cfg: LoadedConfig) {
  const s = cfg.services[0];
  if (!s) throw new Error(`service not loaded: ${cfg.problems.map((p) => formatProblem(p)).join('; ')}`);
  return s;
}

t.test('one interface: as before, no binding, the default hold-down', async (t) => {
  const s = only(load(DYN + "\toption interface 'wan'\n"));
  t.same([s.interface, s.interfaces, s.bindWan, s.bindNetwork, s.holddownMs], ['wan', undefined, false, undefined, 5000]);
  t.same(only(load(DYN)).interface, 'wan', 'default wan');
});

t.test('list interface: priority order; bind_wan on by default for source network', async (t) => {
  const cfg = load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption holddown '30s'\n");
  t.same(cfg.problems, []);
  const s = only(cfg);
  t.same([s.interface, s.interfaces, s.holddownMs, s.bindWan], ['wan', ['wan', 'wanb'], 30_000, true]);
  const web = only(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption ip_source 'web'\n"));
  t.equal(web.bindWan, false, 'other sources: off unless asked');
  t.equal(only(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption ip_source 'web'\n\toption bind_wan '1'\n")).bindWan, true);
  t.equal(only(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption bind_wan '0'\n")).bindWan, false);
  t.equal(only(load(DYN + "\toption holddown '0'\n\tlist interface 'a'\n\tlist interface 'b'\n")).holddownMs, 0, 'plain number: seconds; 0 allowed');
});

t.test('bind_network: its own meaning, exclusive with bind_wan', async (t) => {
  const s = only(load(DYN + "\toption bind_network 'wanb'\n"));
  t.same([s.bindNetwork, s.bindWan], ['wanb', false]);
  const multi = only(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption bind_network 'vpn'\n"));
  t.same([multi.bindNetwork, multi.bindWan], ['vpn', false], 'bind_network replaces the default bind_wan');
  const both = load(DYN + "\toption bind_network 'wanb'\n\toption bind_wan '1'\n");
  t.equal(both.services.length, 0);
  t.match(both.problems, [{ option: 'bind_wan', message: /cannot be combined with bind_network/ }]);
  t.match(load(DYN + "\toption bind_network 'wan b'\n").problems, [{ option: 'bind_network', message: /'wan b' is not allowed/ }]);
});

t.test('bad values name the option and what is allowed', async (t) => {
  t.match(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wan-b!'\n").problems, [{ option: 'interface', message: /'wan-b!' is not allowed; use a network name/ }]);
  t.match(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption holddown 'soon'\n").problems, [{ option: 'holddown', message: /'soon' is not allowed; use a whole number with s, m, h or d/ }]);
  t.match(load(DYN + "\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption holddown '2h'\n").problems, [{ option: 'holddown', message: /too long; the most is 1h/ }]);
  const dup = load(DYN + "\tlist interface 'wan'\n\tlist interface 'wan'\n");
  t.same(only(dup).interfaces, undefined, 'a repeated name counts once');
  t.match(dup.problems, [{ option: 'interface', severity: 'warning', message: /listed twice/ }]);
  t.match(load(DYN + "\toption holddown '5s'\n").problems, [{ option: 'holddown', severity: 'warning', message: /only matters with several interfaces/ }]);
  for (const o of ['ip_network', 'ip_network6', 'interface6']) {
    const cfg = load(DYN + `\tlist interface 'wan'\n\tlist interface 'wanb'\n\toption ${o} 'wan6'\n`);
    t.equal(cfg.services.length, 0, `${o} with several WANs is refused`);
    t.match(cfg.problems, [{ option: o, message: /cannot be combined with several interfaces/ }]);
  }
});
