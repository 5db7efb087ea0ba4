import * as http from 'node:http';
import * as https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AddressInfo } from 'node:net';

/**
 * A fake provider server on loopback. It takes an ordered script of expected requests with
 * canned answers, checks every request it receives against the next step (method, path,
 * query, headers, auth, body), records everything, and lists every mismatch, unexpected or
 * missing request in `problems()`. Strict by default: no query, no body and no
 * Authorization header are allowed unless the step names them.
 *
 *   const fake = await FakeHttp.start(t);            // closes itself at teardown
 *   fake.expect({ method: 'GET', path: '/nic/update', query: { hostname: 'a.example' },
 *                 auth: { user: 'u', password: 'p' }, reply: { body: 'good 192.0.2.1' } });
 *   ... point the provider at fake.url (option endpoint) ...
 *   fake.assertDone(t);
 */

type Matcher = string | RegExp;

export interface ExpectedRequest {
  method: string;
  /** Path without the query string; exact. */
  path: string;
  /** Every query parameter, exactly (no extras allowed). Absent: the request must have no query. */
  query?: Record<string, Matcher | Matcher[]>;
  /** Headers that must be present with these values (names case-insensitive). Others are not checked. */
  headers?: Record<string, Matcher>;
  /** Headers that must not be sent (names case-insensitive). */
  absentHeaders?: string[];
  /** Basic auth the request must carry, or a raw Authorization value. Absent: no Authorization header allowed (unless `headers` names it). */
  auth?: { user: string; password: string } | Matcher;
  /** Exact body text, a RegExp, or an object compared to the parsed JSON body. Absent: the body must be empty. */
  body?: string | RegExp | object;
  /** Form-encoded body parameters, exactly. */
  form?: Record<string, Matcher>;
  reply?: CannedReply;
}

export interface CannedReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON (with a JSON content type). */
  body?: unknown;
  /** Never answer (for timeout and abort tests); the socket is closed when the server closes. */
  hang?: boolean;
  /** Close the connection without answering. */
  destroy?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Remote address family as seen by the server ('IPv4' / 'IPv6'). */
  family: string;
  /** The address the request came from (requests bound to a local address show it). */
  remote: string;
}

export interface StartOptions {
  /** Serve HTTPS with a certificate made by `makeTestCert()`. */
  tls?: TestCert;
  /** Listen address: '127.0.0.1' (default) or '::1'. */
  host?: '127.0.0.1' | '::1';
}

/** Minimal view of a tap test, so this helper does not depend on tap's types. */
interface TapLike {
  teardown(fn: () => unknown): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  strictSame(found: any, wanted: any, ...rest: any[]): unknown;
}

export class FakeHttp {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash): put it in `option endpoint`. */
  readonly url: string;
  readonly port: number;
  readonly received: RecordedRequest[] = [];
  readonly #server: http.Server;
  readonly #script: ExpectedRequest[] = [];
  readonly #problems: string[] = [];
  readonly #hanging = new Set<http.ServerResponse>();

  private constructor(server: http.Server, url: string, port: number) {
    this.#server = server;
    this.url = url;
    this.port = port;
  }

  static async start(t?: TapLike, opts: StartOptions = {}): Promise<FakeHttp> {
    const host = opts.host ?? '127.0.0.1';
    let fake: FakeHttp | undefined;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => fake!.handle(req, res);
    const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const shown = host.includes(':') ? `[${host}]` : host;
    fake = new FakeHttp(server, `${opts.tls ? 'https' : 'http'}://${shown}:${port}`, port);
    t?.teardown(() => fake!.close());
    return fake;
  }

  /** Append steps to the script (answered in order). */
  expect(...steps: ExpectedRequest[]): this {
    this.#script.push(...steps);
    return this;
  }

  /** Steps not yet requested. */
  get pending(): number {
    return this.#script.length;
  }

  /** Every mismatch and unexpected request so far, plus one line per missing request. */
  problems(): string[] {
    return [...this.#problems, ...this.#script.map((s) => `missing request: ${s.method} ${s.path}`)];
  }

  /** One assertion: no problem at all (all steps consumed, each matched exactly). */
  assertDone(t: TapLike, message = 'fake server saw exactly the scripted requests'): void {
    t.strictSame(this.problems(), [], message);
  }

  async close(): Promise<void> {
    for (const r of this.#hanging) r.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        family: req.socket.remoteFamily ?? '',
        remote: req.socket.remoteAddress ?? '',
      };
      this.received.push(rec);
      const step = this.#script.shift();
      if (!step) {
        this.#problems.push(`unexpected request #${this.received.length}: ${rec.method} ${rec.url}`);
        res.writeHead(599, { 'content-type': 'text/plain' }).end('fake-http: unexpected request');
        return;
      }
      const errs = checkRequest(step, rec);
      for (const e of errs) this.#problems.push(`request #${this.received.length} (${step.method} ${step.path}): ${e}`);
      this.answer(res, step.reply ?? {});
    });
  }

  private answer(res: http.ServerResponse, reply: CannedReply): void {
    if (reply.hang) {
      this.#hanging.add(res);
      return;
    }
    if (reply.destroy) {
      res.socket?.destroy();
      return;
    }
    const isText = typeof reply.body === 'string' || reply.body === undefined;
    const body = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
    const headers = { 'content-type': isText ? 'text/plain' : 'application/json', ...reply.headers };
    res.writeHead(reply.status ?? 200, headers).end(body);
  }
}

function matches(m: Matcher, v: string | undefined): boolean {
  if (v === undefined) return false;
  return typeof m === 'string' ? m === v : m.test(v);
}

function show(m: Matcher | Matcher[]): string {
  return Array.isArray(m) ? `[${m.map((x) => String(x)).join(', ')}]` : String(m);
}

/** Every difference between the request and the step, as sentences. */
export function checkRequest(step: ExpectedRequest, rec: RecordedRequest): string[] {
  const errs: string[] = [];
  if (rec.method !== step.method.toUpperCase()) errs.push(`method ${rec.method}, expected ${step.method}`);
  if (rec.path !== step.path) errs.push(`path ${rec.path}, expected ${step.path}`);
  errs.push(...checkParams('query', step.query ?? {}, rec.query));
  errs.push(...checkHeaders(step, rec));
  errs.push(...checkBody(step, rec));
  return errs;
}

function checkParams(what: string, want: Record<string, Matcher | Matcher[]>, got: URLSearchParams): string[] {
  const errs: string[] = [];
  for (const [k, m] of Object.entries(want)) {
    const vals = got.getAll(k);
    const list = Array.isArray(m) ? m : [m];
    const ok = vals.length === list.length && list.every((x, i) => matches(x, vals[i]));
    if (!ok) errs.push(`${what} ${k}=${JSON.stringify(vals)}, expected ${show(m)}`);
  }
  for (const k of new Set(got.keys())) if (!(k in want)) errs.push(`unexpected ${what} parameter ${k}=${JSON.stringify(got.getAll(k))}`);
  return errs;
}

function checkHeaders(step: ExpectedRequest, rec: RecordedRequest): string[] {
  const errs: string[] = [];
  const want: Record<string, Matcher> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) want[k.toLowerCase()] = v;
  if (step.auth !== undefined) {
    want.authorization = typeof step.auth === 'object' && !(step.auth instanceof RegExp)
      ? 'Basic ' + Buffer.from(`${step.auth.user}:${step.auth.password}`).toString('base64')
      : step.auth;
  }
  for (const [k, m] of Object.entries(want)) {
    const v = rec.headers[k];
    const s = Array.isArray(v) ? v.join(', ') : v;
    if (!matches(m, s)) errs.push(`header ${k}: ${JSON.stringify(s)}, expected ${show(m)}`);
  }
  if (want.authorization === undefined && rec.headers.authorization !== undefined) errs.push('unexpected Authorization header');
  for (const k of step.absentHeaders ?? []) if (rec.headers[k.toLowerCase()] !== undefined) errs.push(`header ${k} must not be sent`);
  return errs;
}

function checkBody(step: ExpectedRequest, rec: RecordedRequest): string[] {
  if (step.form !== undefined) return checkParams('form field', step.form, new URLSearchParams(rec.body));
  const b = step.body;
  if (b === undefined) return rec.body === '' ? [] : [`unexpected body ${JSON.stringify(rec.body)}`];
  if (typeof b === 'string') return rec.body === b ? [] : [`body ${JSON.stringify(rec.body)}, expected ${JSON.stringify(b)}`];
  if (b instanceof RegExp) return b.test(rec.body) ? [] : [`body ${JSON.stringify(rec.body)} does not match ${b}`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(rec.body);
  } catch {
    return [`body is not JSON: ${JSON.stringify(rec.body)}`];
  }
  return isDeepStrictEqual(parsed, b) ? [] : [`JSON body ${JSON.stringify(parsed)}, expected ${JSON.stringify(b)}`];
}

export interface TestCert {
  key: string;
  cert: string;
}

let cached: TestCert | undefined;

/**
 * A self-signed certificate for `localhost`, 127.0.0.1 and ::1, made once per process with
 * the machine's `openssl` (node:crypto makes keys but not X.509 certificates). Pass `cert`
 * as the client's `ca` to trust it.
 */
export function makeTestCert(): TestCert {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ], { stdio: 'pipe' });
    cached = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
