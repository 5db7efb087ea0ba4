// `ddnsd status` (the CLI's text form of the status reply) shows which WAN is active and why.
import t from 'tap';
import { formatStatus } from '../../src/cli/status';
import type { ServiceStatus, StatusReply } from '../../src/engine/status';
import { FAILOVER } from '../support/status-fixtures';

const record = { name: 'home.example.net', type: 'A' as const, registered: '198.51.100.9', detected: '198.51.100.9', state: 'ok' as const, last_check: 0, last_change: 0, last_result: '', next_check: 0, verified: true };
const base: ServiceStatus = {
  name: 'home', enabled: true, provider: 'cloudflare', interface: 'wan', interfaces: ['wan'], active_interface: 'wan', active_reason: '', wans: [],
  source: 'network', state: 'ok', detected: { ipv4: '198.51.100.9', ipv6: '' }, warnings: [], error: '', last_check: 0, next_check: 0, records: [record],
};
const reply = (services: ServiceStatus[]): StatusReply => ({ version: '0.1.0', uptime: 60, errors: [], services, notify: [] });

t.test('several WANs: the list, the active one and why, each WAN as the last check saw it', async (t) => {
  const text = formatStatus(reply([{ ...base, ...FAILOVER }]));
  t.match(text, /home: ok \(cloudflare, network on wan, wanb\)/);
  t.match(text, /\n  active WAN: wanb \(wan: down; wanb: up, 198\.51\.100\.9\)\n/);
  t.match(text, /\n {6}wan: not usable, down\n/);
  t.match(text, /\n    \* wanb: usable, up, 198\.51\.100\.9\n/);
});

t.test('one WAN: named on the service line, no WAN choice', async (t) => {
  const text = formatStatus(reply([base]));
  t.match(text, /home: ok \(cloudflare, network on wan\)/);
  t.notMatch(text, /active WAN/);
});

t.test('notify sections: last sent, queue and next try, the last error, rejected and disabled ones', async (t) => {
  const at = Date.UTC(2026, 0, 1, 12) / 1000;
  const text = formatStatus({
    ...reply([base]),
    notify: [
      { name: 'phone', type: 'ntfy', enabled: true, last_sent: 0, last_error: 'ntfy answered 503 (busy)', queued: 2, next_try: at, error: '' },
      { name: 'hook', type: 'webhook', enabled: false, last_sent: 0, last_error: '', queued: 0, next_try: 0, error: '' },
      { name: 'bad', type: '', enabled: false, last_sent: 0, last_error: '', queued: 0, next_try: 0, error: "bad.type: required: webhook, ntfy, gotify\nbad.url: required" },
    ],
  });
  t.match(text, /\n\nnotify phone \(ntfy\): last sent never, 2 queued, next try \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n  last error: ntfy answered 503 \(busy\)\nnotify hook \(webhook\): disabled\nnotify bad: rejected\n  error: bad\.type: required: webhook, ntfy, gotify\n  error: bad\.url: required\n$/);
  t.notMatch(formatStatus(reply([base])), /notify/, 'no notify section: no notify lines');
});
