import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sharedPath } from './shared';
import type { CannedReply } from './fake-http';

/**
 * The official DNSimple replies (raw HTTP/1.1 responses, LF line ends) kept in
 * shared/fixtures/providers/dnsimple/, next to the repository. Every file handed out is
 * remembered, so a test can assert that all of them were used.
 */

const SUBDIR = join('fixtures', 'providers', 'dnsimple', 'fixtures', 'v2', 'api');

function fixtureDir(): string {
  return sharedPath(SUBDIR);
}

export interface HttpFixture {
  /** Path under fixtures/v2/api, e.g. `whoami/success.http`. */
  name: string;
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

const used = new Set<string>();

/** Every fixture file, as names relative to fixtures/v2/api, sorted. */
export function listFixtures(): string[] {
  const root = fixtureDir();
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.http')) out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** Parse one raw response: status line, headers, an empty line, the body verbatim. */
export function parseHttp(name: string, text: string): HttpFixture {
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const [statusLine, ...lines] = head.split('\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new Error(`${name}: not an HTTP response (${statusLine})`);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { name, status: Number(m[1]), headers, body };
}

export function loadFixture(name: string): HttpFixture {
  used.add(name);
  return parseHttp(name, readFileSync(join(fixtureDir(), name), 'utf8'));
}

/** Framing headers the fake server sets itself. */
const FRAMING = new Set(['content-length', 'connection', 'transfer-encoding']);

/** The fixture as a fake-server answer: recorded status, headers and body byte for byte. */
export function fixtureReply(name: string, edit?: (headers: Record<string, string>) => void): CannedReply {
  const f = loadFixture(name);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.headers)) if (!FRAMING.has(k)) headers[k] = v;
  edit?.(headers);
  return { status: f.status, headers, body: f.body };
}

/** Names of the fixtures handed out so far. */
export function usedFixtures(): string[] {
  return [...used].sort();
}
