import type { Outcome } from './types';
import { WAIT } from './ddns-http';

/**
 * The dyndns2 answer: text, one line per hostname in request order, the first token of a
 * line being the code. An account-level code comes once and applies to every host.
 * Classification follows shared/fixtures/providers/dyndns2/cases.md exactly.
 */

export interface CodeMeaning {
  outcome: Outcome;
  /** Minimum wait before trying again (transient codes). */
  waitMs?: number;
  /** For the person reading the log. */
  meaning: string;
}

const CODES: Record<string, CodeMeaning> = {
  good: { outcome: 'ok', meaning: 'updated' },
  nochg: { outcome: 'nochg', meaning: 'the record already had this address' },
  badauth: { outcome: 'auth', meaning: 'wrong user name or password' },
  '!donator': { outcome: 'config', meaning: 'an option was sent that needs a paid account' },
  notfqdn: { outcome: 'nohost', meaning: 'the name is not a fully qualified domain name' },
  nohost: { outcome: 'nohost', meaning: 'the name does not exist in this account' },
  '!yours': { outcome: 'nohost', meaning: 'the name belongs to another account' },
  '!active': { outcome: 'nohost', meaning: 'the domain is not active' },
  numhost: { outcome: 'config', meaning: 'too many names in one request, or a round-robin name' },
  abuse: { outcome: 'abuse', meaning: 'the name is blocked for abuse; unblock it at the provider' },
  badagent: { outcome: 'abuse', meaning: 'the provider rejected this client (User-Agent)' },
  badsys: { outcome: 'config', meaning: 'the system parameter is not valid' },
  badrequest: { outcome: 'config', meaning: 'the provider rejected the request as malformed' },
  dnserr: { outcome: 'transient', waitMs: WAIT.dnserr, meaning: 'DNS error at the provider' },
  '911': { outcome: 'transient', waitMs: WAIT.outage, meaning: 'provider outage or maintenance' },
  servererror: { outcome: 'transient', waitMs: WAIT.servererror, meaning: 'server error at the provider' },
};

export function knownCode(code: string): CodeMeaning | undefined {
  return Object.prototype.hasOwnProperty.call(CODES, code) ? CODES[code] : undefined;
}

export interface HostAnswer {
  /** The code as sent (`good`, `badauth`, ...), '' when the host got no line. */
  code: string;
  /** Addresses the provider echoed after the code. */
  echoed: string[];
  /** The line as received, for messages. */
  line: string;
  verdict: CodeMeaning;
}

export interface ParsedReply {
  hosts: HostAnswer[];
  /** Line count mismatches and unexpected lines, for a warning in the log. */
  warnings: string[];
}

/** Per-host answers for `hosts` (in request order) from a reply body. */
export function parseReply(body: string, hostCount: number): ParsedReply {
  const lines = body.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const warnings: string[] = [];
  if (lines.length === 0) {
    const verdict = { outcome: 'transient' as Outcome, waitMs: WAIT.empty, meaning: 'the provider sent an empty answer' };
    return { hosts: Array.from({ length: hostCount }, () => ({ code: '', echoed: [], line: '', verdict })), warnings };
  }
  // One line for several hosts: an account-level answer, or a server that answers once (cases 30, 31, 34).
  const single = lines.length === 1 && hostCount > 1;
  if (single && !['badauth', 'badagent', 'abuse', '!donator', '911', 'dnserr', 'numhost', 'badsys'].includes(firstToken(lines[0]))) {
    warnings.push(`one answer line for ${hostCount} names; applied to all`);
  }
  if (!single && lines.length < hostCount) warnings.push(`${lines.length} answer lines for ${hostCount} names`);
  if (lines.length > hostCount) warnings.push(`${lines.length - hostCount} extra answer line(s) ignored: ${lines.slice(hostCount).join(' | ')}`);
  const hosts: HostAnswer[] = [];
  for (let i = 0; i < hostCount; i++) {
    const line = single ? lines[0] : lines[i];
    hosts.push(line === undefined ? missing() : answerOf(line));
  }
  return { hosts, warnings };
}

function firstToken(line: string): string {
  return line.split(/\s+/)[0] ?? '';
}

function answerOf(line: string): HostAnswer {
  const [code, ...rest] = line.split(/\s+/);
  const echoed = rest.join(',').split(',').map((s) => s.trim()).filter(Boolean);
  const verdict = knownCode(code) ?? { outcome: 'transient', waitMs: WAIT.unexpected, meaning: 'an answer that is not a dyndns2 code' };
  return { code, echoed, line, verdict };
}

function missing(): HostAnswer {
  return { code: '', echoed: [], line: '', verdict: { outcome: 'transient', waitMs: WAIT.empty, meaning: 'no result for this name in the answer' } };
}
