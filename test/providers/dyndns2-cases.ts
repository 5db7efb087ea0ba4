import { sharedFixture } from './ddns-support';

/**
 * shared/fixtures/providers/dyndns2/cases.md read as data: every numbered row becomes a
 * case with the reply to give and the action required per host. The test walks them all.
 */

export type Action =
  | { kind: 'success' }
  | { kind: 'nochg' }
  | { kind: 'stop' }
  | { kind: 'transient'; minMinutes: number };

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Row 23's "timeout / TLS error": tested as a transport failure, not a reply. */
  transport?: 'tls';
}

export interface Case {
  row: number;
  /** 'single' (1 host), 'dual' (1 host, both families), 'multi' (2–3 hosts). */
  section: 'single' | 'dual' | 'multi';
  replies: Reply[];
  /** One action per host; undefined for a host the row does not have. */
  actions: Action[];
  text: string;
}

function action(cell: string): Action | undefined {
  const c = cell.trim();
  if (c.startsWith('–') || c === '-') return undefined;
  const t = /transient-backoff\((?:max\(Retry-After, )?\**(\d+) min/.exec(c);
  if (t) return { kind: 'transient', minMinutes: Number(t[1]) };
  if (c.startsWith('success-nochg')) return { kind: 'nochg' };
  if (c.startsWith('success')) return { kind: 'success' };
  if (c.startsWith('stop')) return { kind: 'stop' };
  throw new Error(`cases.md: cannot read action "${c}"`);
}

function unescape(s: string): string {
  return s.replace(/\\n/g, '\n');
}

/** The reply (or replies, for "5xx / timeout / TLS") a body cell describes. */
function replies(cell: string): Reply[] {
  const c = cell.trim();
  const quoted = /^`([^`]*)`/.exec(c);
  if (quoted) return [{ status: 200, body: unescape(quoted[1]), headers: {} }];
  if (/^empty body/.test(c)) return [{ status: 200, body: '', headers: {} }];
  const http = /^HTTP (\d{3}|5xx)/.exec(c);
  if (!http) throw new Error(`cases.md: cannot read body "${c}"`);
  if (http[1] === '5xx') {
    return [
      { status: 500, body: 'Internal Server Error', headers: {} },
      { status: 503, body: '', headers: {} },
      { status: 0, body: '', headers: {}, transport: 'tls' },
    ];
  }
  const headers: Record<string, string> = {};
  const ra = /Retry-After: (\d+)/.exec(c);
  if (ra) headers['retry-after'] = ra[1];
  return [{ status: Number(http[1]), body: c.includes('any body') ? 'Unauthorized' : '', headers }];
}

export function loadCases(): Case[] {
  const md = sharedFixture('fixtures/providers/dyndns2/cases.md');
  const out: Case[] = [];
  for (const line of md.split('\n')) {
    const m = /^\|\s*(\d+)\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const row = Number(m[1]);
    const cells = m[2].split('|');
    const section = row <= 25 ? 'single' : row <= 27 ? 'dual' : 'multi';
    // single/dual: body | action | source; multi: body | h1 | h2 | h3 | source
    const acts = section === 'multi' ? cells.slice(1, 4).map(action) : [action(cells[1])];
    const actions = acts.filter((a): a is Action => a !== undefined);
    out.push({ row, section, replies: replies(cells[0]), actions, text: line });
  }
  return out;
}
