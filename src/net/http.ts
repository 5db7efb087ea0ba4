import type * as http from 'node:http';
import type * as https from 'node:https';
import type * as tls from 'node:tls';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { VERSION } from '../version';
import { redact, Secret } from '../util/secret';
import type { Family } from './address';
import { defaultCa } from './ca';
import { BindError, bindFailure, currentBinding, localFor, type LocalAddresses } from './bind';

// Loaded on first use, not with the bundle: a CLI command or a daemon that sends no request
// does not pay for them (test/cli/modules.test.ts pins what `--version` and `check` load).
const httpModule = (): typeof http => require('node:http') as typeof http;
const httpsModule = (): typeof https => require('node:https') as typeof https;
const tlsModule = (): typeof tls => require('node:tls') as typeof tls;

/**
 * A small HTTP(S) client on node:http/https. Global fetch is avoided on purpose: it loads
 * undici, which costs about 20 MB more resident memory on a router.
 */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Connect + response, for the whole exchange including redirects. Default 15000. */
  timeoutMs?: number;
  /** Default 1 MiB; a larger body fails with kind 'too-large'. */
  maxBodyBytes?: number;
  /** Force the address family of the connection. */
  family?: Family;
  /** ddns-scripts `proxy`: `[user:pass@]host:port` (HTTP CONNECT for https). */
  proxy?: string;
  signal?: AbortSignal;
  /** Default `ddnsd/<VERSION>`. */
  userAgent?: string;
  /** Default 3. Authorization and other credentials are not sent to another host. */
  maxRedirects?: number;
  /** Redacted from any error message. */
  secrets?: Secret[];
  /** Trusted CA certificates (PEM) for HTTPS; they replace defaultCa() (net/ca.ts builds both). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Do not check the server's certificate at all (a user's explicit `tls_insecure`). */
  insecure?: boolean;
  /** Local addresses to connect from (default: the binding set with net/bind `sendingFrom`, else none). */
  bind?: LocalAddresses;
}

/** How one service's requests travel: the address family, trusted CAs, unchecked TLS. */
export type Transport = Pick<HttpRequest, 'family' | 'ca' | 'insecure'>;

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: string;
  /** The URL that answered (after redirects), without userinfo. */
  url: string;
}

export type HttpErrorKind = 'network' | 'timeout' | 'too-large' | 'redirect' | 'tls' | 'aborted';

export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  /** Node's error code when there is one (ECONNREFUSED, ENOTFOUND, HPE_INVALID_CONSTANT, ...); `LOOP` for a redirect loop. */
  readonly code?: string;

  constructor(kind: HttpErrorKind, message: string, code?: string) {
    super(message);
    this.name = 'HttpError';
    this.kind = kind;
    if (code) this.code = code;
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 3;
/** Headers that carry no credential and may follow a redirect to another host. */
const SAFE_CROSS_HOST_HEADERS = new Set(['user-agent', 'accept', 'accept-language', 'content-type']);

export function basicAuth(user: string, password: Secret | string): string {
  const pw = typeof password === 'string' ? password : password.reveal();
  return 'Basic ' + Buffer.from(`${user}:${pw}`, 'utf8').toString('base64');
}

/** The minimum wait a `Retry-After` header asks for (seconds or an HTTP date), in ms. */
export function retryAfterMs(res: HttpResponse, now: number): number | undefined {
  const v = res.headers['retry-after']?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface Hop {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Everything one exchange shares across its redirects: limits, deadline, cancellation. */
interface Exchange {
  req: HttpRequest;
  secrets: Secret[];
  maxBody: number;
  proxy?: ProxySpec;
  /** Set once: the first failure wins (timeout, abort, network). */
  fail: (e: HttpError) => void;
  failed?: HttpError;
  /** Sockets and requests to tear down on failure. */
  live: Set<{ destroy(): void }>;
}

/** Send one request, following up to `maxRedirects` redirects. Rejects only with HttpError. */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  const secrets = collectSecrets(req);
  const first = firstHop(req, secrets);
  const ex = newExchange(req, secrets);
  let failReject: (e: HttpError) => void = () => {};
  const failed = new Promise<never>((_, reject) => (failReject = reject));
  failed.catch(() => {});
  ex.fail = (e) => {
    if (ex.failed) return;
    ex.failed = e;
    for (const l of ex.live) l.destroy();
    failReject(e);
  };
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => ex.fail(new HttpError('timeout', `no answer from ${first.url.host} within ${timeoutMs / 1000} s`)), timeoutMs);
  const onAbort = () => ex.fail(new HttpError('aborted', `request to ${first.url.host} was cancelled`));
  if (req.signal?.aborted) onAbort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([followRedirects(ex, first), failed]);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

function collectSecrets(req: HttpRequest): Secret[] {
  const out = [...(req.secrets ?? [])];
  const u = safeParseUrl(req.url);
  if (u?.password) out.push(new Secret(safeDecode(u.password)), new Secret(u.password));
  const p = req.proxy ? parseProxy(req.proxy) : undefined;
  if (p?.password) out.push(new Secret(p.password));
  return out;
}

function newExchange(req: HttpRequest, secrets: Secret[]): Exchange {
  return {
    req,
    secrets,
    maxBody: req.maxBodyBytes ?? DEFAULT_MAX_BODY,
    proxy: req.proxy ? checkedProxy(req.proxy) : undefined,
    fail: () => {},
    live: new Set(),
  };
}

/** Percent-decoding that leaves a malformed escape as written instead of throwing. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function safeParseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Turn the caller's request into the first hop: userinfo becomes Basic auth, defaults filled in. */
function firstHop(req: HttpRequest, secrets: Secret[]): Hop {
  const url = safeParseUrl(req.url);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new HttpError('network', `not an http(s) URL: ${redact(req.url, secrets)}`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['user-agent'] ??= req.userAgent ?? `ddnsd/${VERSION}`;
  if ((url.username || url.password) && headers.authorization === undefined) {
    headers.authorization = basicAuth(safeDecode(url.username), safeDecode(url.password));
  }
  url.username = '';
  url.password = '';
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  return { method: req.method.toUpperCase(), url, headers, body };
}

async function followRedirects(ex: Exchange, first: Hop): Promise<HttpResponse> {
  const max = ex.req.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let hop = first;
  for (let n = 0; ; n++) {
    const res = await sendOnce(ex, hop);
    const location = res.headers.location;
    if (!isRedirect(res.status) || location === undefined) return res;
    if (n >= max) throw new HttpError('redirect', `${first.url.host} redirected more than ${max} times`, 'LOOP');
    hop = nextHop(hop, res.status, location, ex.secrets);
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The request a redirect asks for, without credentials when it leaves the original host. */
function nextHop(prev: Hop, status: number, location: string, secrets: Secret[]): Hop {
  let url: URL;
  try {
    url = new URL(location, prev.url);
  } catch {
    throw new HttpError('redirect', `${prev.url.host} redirected to an invalid address`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HttpError('redirect', `${prev.url.host} redirected to a non-HTTP address`);
  }
  if (prev.url.protocol === 'https:' && url.protocol === 'http:') {
    throw new HttpError('redirect', `${prev.url.host} redirected from HTTPS to plain HTTP (${redact(url.host, secrets)}); refused`);
  }
  const toGet = status === 303 || ((status === 301 || status === 302) && prev.method === 'POST');
  const method = toGet ? 'GET' : prev.method;
  const body = toGet ? undefined : prev.body;
  const sameOrigin = url.origin === prev.url.origin || isUpgrade(prev.url, url);
  if (!sameOrigin && body !== undefined && body.length > 0) {
    throw new HttpError('redirect', `${prev.url.host} redirected a request with a body to another host (${redact(url.host, secrets)}); refused`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(prev.headers)) {
    if (sameOrigin || SAFE_CROSS_HOST_HEADERS.has(k)) headers[k] = v;
  }
  if (body === undefined) {
    delete headers['content-type'];
    delete headers['content-length'];
  }
  url.username = '';
  url.password = '';
  return { method, url, headers, body };
}

/** http://host → https://host (default ports): the same server moving to TLS, not another host. */
function isUpgrade(from: URL, to: URL): boolean {
  return from.protocol === 'http:' && to.protocol === 'https:' && from.hostname === to.hostname && from.port === '' && to.port === '';
}

/**
 * One TLS context per CA list, made on first use and kept while the list lives (defaultCa's
 * list for as long as the process, a service's own list as long as its transport): given only
 * `ca`, Node parses every certificate of the list again for each connection, some 140 roots,
 * which costs milliseconds on a router's CPU for every request.
 */
const contexts = new WeakMap<object, tls.SecureContext>();

function trustFor(ca: HttpRequest['ca'] | undefined): { ca?: HttpRequest['ca']; secureContext?: tls.SecureContext } {
  if (ca === undefined) return {};
  if (typeof ca === 'string') return { ca };
  let ctx = contexts.get(ca);
  if (!ctx) {
    ctx = tlsModule().createSecureContext({ ca });
    contexts.set(ca, ctx);
  }
  return { secureContext: ctx };
}

async function sendOnce(ex: Exchange, hop: Hop): Promise<HttpResponse> {
  checkLiteralFamily(hop.url, ex.req.family);
  const headers = { ...hop.headers };
  if (hop.body !== undefined) headers['content-length'] = String(hop.body.length);
  const local = bindFor(ex, ex.proxy ? ex.proxy.host : unbracket(hop.url.hostname));
  const base = {
    method: hop.method,
    headers,
    family: local?.family ?? ex.req.family,
    localAddress: local?.localAddress,
    ...(hop.url.protocol === 'https:' ? trustFor(ex.req.ca ?? defaultCa()) : {}),
    ...(ex.req.insecure ? { rejectUnauthorized: false } : {}),
    servername: hop.url.protocol === 'https:' && !isIpLiteral(hop.url.hostname) ? hop.url.hostname : undefined,
  };
  const options = await connectOptions(ex, hop, base);
  return new Promise<HttpResponse>((resolve, reject) => {
    const mod = hop.url.protocol === 'https:' && !options.viaPlainProxy ? httpsModule() : httpModule();
    const cr = mod.request(options.request, (res) => readResponse(ex, hop, res, resolve, reject));
    ex.live.add(cr);
    cr.on('error', (e) => reject(classify(e, hop.url.host, ex.secrets, local?.localAddress)));
    cr.end(hop.body);
  });
}

interface ConnectOptions {
  request: https.RequestOptions;
  /** Plain http through a proxy: the request goes to the proxy with an absolute URI. */
  viaPlainProxy: boolean;
}

async function connectOptions(ex: Exchange, hop: Hop, base: https.RequestOptions & { ca?: HttpRequest['ca']; secureContext?: tls.SecureContext }): Promise<ConnectOptions> {
  const target = { hostname: unbracket(hop.url.hostname), port: Number(hop.url.port || (hop.url.protocol === 'https:' ? 443 : 80)) };
  const path = hop.url.pathname + hop.url.search;
  if (!ex.proxy) {
    return { request: { ...base, ...target, path, agent: false }, viaPlainProxy: false };
  }
  const p = ex.proxy;
  if (hop.url.protocol === 'http:') {
    const headers: Record<string, string> = { ...(base.headers as Record<string, string>), host: hop.url.host };
    if (p.auth) headers['proxy-authorization'] = p.auth;
    return { request: { ...base, headers, hostname: p.host, port: p.port, path: hop.url.href, agent: false }, viaPlainProxy: true };
  }
  const socket = await tunnel(ex, p, hop.url.host);
  const tlsSocket = tlsModule().connect({ socket, servername: base.servername, ca: base.ca, secureContext: base.secureContext, rejectUnauthorized: !ex.req.insecure });
  ex.live.add(tlsSocket);
  return {
    request: { ...base, ...target, path, createConnection: () => tlsSocket },
    viaPlainProxy: false,
  };
}

interface ProxySpec {
  host: string;
  port: number;
  password?: string;
  auth?: string;
}

/** ddns-scripts' `proxy` value: `[user:pass@]host:port`, optionally with `http://` in front. */
export function parseProxy(text: string): ProxySpec | undefined {
  const m = /^(?:http:\/\/)?(?:([^:@/]*)(?::([^@/]*))?@)?(\[[0-9a-fA-F:.]+\]|[^:@/[\]]+):(\d{1,5})\/?$/.exec(text.trim());
  if (!m) return undefined;
  const [, user, pass, host, port] = m;
  const n = Number(port);
  if (n < 1 || n > 65535) return undefined;
  const password = pass === undefined ? undefined : safeDecode(pass);
  const auth = user !== undefined ? basicAuth(safeDecode(user), password ?? '') : undefined;
  return { host: unbracket(host), port: n, password, auth };
}

function checkedProxy(text: string): ProxySpec {
  const p = parseProxy(text);
  if (!p) throw new HttpError('network', 'proxy must look like [user:pass@]host:port');
  return p;
}

/** An HTTP CONNECT tunnel through the proxy to `hostPort`. */
function tunnel(ex: Exchange, p: ProxySpec, hostPort: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: hostPort };
    if (p.auth) headers['proxy-authorization'] = p.auth;
    const local = bindFor(ex, p.host);
    const cr = httpModule().request({
      hostname: p.host, port: p.port, method: 'CONNECT', path: hostPort, headers,
      family: local?.family ?? ex.req.family, localAddress: local?.localAddress, agent: false,
    });
    ex.live.add(cr);
    cr.on('connect', (res, socket) => {
      ex.live.add(socket);
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      const why = res.statusCode === 407 ? 'proxy refused our credentials (407)' : `proxy answered ${res.statusCode} to CONNECT`;
      reject(new HttpError('network', `${why} for ${hostPort}`));
    });
    cr.on('error', (e) => reject(classify(e, `proxy ${p.host}:${p.port}`, ex.secrets, local?.localAddress)));
    cr.end();
  });
}

function readResponse(
  ex: Exchange, hop: Hop, res: http.IncomingMessage,
  resolve: (r: HttpResponse) => void, reject: (e: HttpError) => void,
): void {
  const tooLarge = () => new HttpError('too-large', `answer from ${hop.url.host} is larger than ${ex.maxBody} bytes`);
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > ex.maxBody) {
    reject(tooLarge()); // first, so the error the destroy causes does not win
    res.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (c: Buffer) => {
    size += c.length;
    if (size > ex.maxBody) {
      reject(tooLarge());
      res.destroy();
      return;
    }
    chunks.push(c);
  });
  res.on('error', (e) => reject(classify(e, hop.url.host, ex.secrets)));
  res.on('aborted', () => reject(new HttpError('network', `connection to ${hop.url.host} closed before the answer was complete`, 'ECONNRESET')));
  res.on('end', () => {
    if (size > ex.maxBody) return;
    resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8'), url: hop.url.href });
  });
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** The local address a connection to `host` leaves from, when the request is bound; a missing one is a network failure. */
function bindFor(ex: Exchange, host: string): { localAddress: string; family: 4 | 6 } | undefined {
  try {
    return localFor(ex.req.bind ?? currentBinding(), host, ex.req.family);
  } catch (e) {
    if (e instanceof BindError) throw new HttpError('network', e.message);
    throw e;
  }
}

/** One clear sentence per socket-level failure; never a stack trace, never a secret. */
export function classify(e: unknown, where: string, secrets: Secret[], local?: string): HttpError {
  if (e instanceof HttpError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const text = (msg: string) => redact(msg, secrets);
  const bind = local ? bindFailure(err, local) : undefined;
  if (bind) return new HttpError('network', text(`cannot reach ${where}: ${bind}`));
  if (TLS_CODE.test(code) || /certificate|ssl|tls/i.test(err.message ?? '')) {
    return new HttpError('tls', text(`TLS with ${where} failed: ${err.message} (${code || 'tls'})`), code);
  }
  const reason = NETWORK_REASONS[code] ?? err.message ?? String(e);
  return new HttpError('network', text(`cannot reach ${where}: ${reason}${code ? ` (${code})` : ''}`), code);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'name not found in DNS',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  EADDRNOTAVAIL: 'no local address of that family',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
};

/** A literal address ignores `family` in node:net, so say plainly that it cannot be honoured. */
function checkLiteralFamily(url: URL, family: Family | undefined): void {
  const literal = isIP(unbracket(url.hostname));
  if (family && literal && literal !== family) {
    throw new HttpError('network', `cannot reach ${url.host} over IPv${family}: it is an IPv${literal} address`);
  }
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
