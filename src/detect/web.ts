import { HttpError, type HttpRequest, type HttpResponse } from '../net/http';
import { failed, selectAddress, type AddressFacts } from './select';
import { boundedExec, RegexTimeout } from '../util/regex';
import { errorText } from '../util/error-text';
import { quote, shownUrl } from './text';
import type { Candidate, Detection, DetectContext, Family, Source } from './types';

/**
 * Source `web`: ask "what is my IP" services over HTTPS, in order, until one gives a usable
 * answer. Parsing is strict: the body must be exactly one address (or, with `ip_regex`, the
 * regex's match must be one), so an HTML error page or a captive portal is never taken for
 * an address, and a private address is no answer at all.
 */

export type RequestFn = (req: HttpRequest) => Promise<HttpResponse>;

/** Services that answer with the bare address of the connection, one list per family. */
export const DEFAULT_ECHO_URLS: Record<Family, readonly string[]> = {
  4: ['https://api.ipify.org', 'https://ipv4.icanhazip.com', 'https://v4.ident.me'],
  6: ['https://api6.ipify.org', 'https://ipv6.icanhazip.com', 'https://v6.ident.me'],
};

export const DEFAULT_WEB_TIMEOUT_MS = 10_000;
/** An address is under 50 bytes; a page needing a regex is still small. Larger is not an echo. */
const MAX_BODY = 16 * 1024;

export interface WebSourceOptions {
  /** `ip_url` list; empty = DEFAULT_ECHO_URLS for the family. */
  urls: string[];
  /** `ip_regex`. */
  regex?: string;
  allowPrivate: boolean;
  timeoutMs?: number;
  /** `proxy`: `[user:pass@]host:port`. */
  proxy?: string;
}

export interface WebDeps {
  request: RequestFn;
}

const HTTP_KIND: Record<string, string> = {
  timeout: 'no answer in time',
  network: 'could not connect',
  tls: 'TLS failed',
  'too-large': 'answer too large to be an address',
  redirect: 'too many redirects',
  aborted: 'aborted',
};

function compile(regex: string | undefined): RegExp | string | undefined {
  if (regex === undefined || regex === '') return undefined;
  try {
    return new RegExp(regex);
  } catch (e) {
    return `ip_regex '${regex}' is not a valid regular expression (${(e as Error).message})`;
  }
}

/** The address text in a body, or why there is none. */
function extract(body: string, regex: RegExp | undefined): { text: string } | { error: string } {
  if (!regex) {
    const text = body.trim();
    // One token of address characters: anything else (HTML, JSON, two lines) is not an answer.
    if (/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return { text };
    return { error: `the answer is not just an address: ${quote(body)}` };
  }
  let m: RegExpExecArray | null;
  try {
    m = boundedExec(regex, body);
  } catch (e) {
    if (e instanceof RegexTimeout) return { error: 'ip_regex took too long on the answer and was stopped (simplify the expression)' };
    throw e;
  }
  const text = m?.[1] ?? m?.[0];
  return text ? { text: text.trim() } : { error: `ip_regex found nothing in the answer: ${quote(body)}` };
}

export function webSource(opts: WebSourceOptions, deps: WebDeps): Source {
  const regex = compile(opts.regex);

  /** One echo service: an address to judge, or why it gave none. */
  async function ask(url: string, family: Family, ctx: DetectContext): Promise<AddressFacts | string> {
    let res: HttpResponse;
    try {
      res = await deps.request({
        method: 'GET', url, family, signal: ctx.signal, proxy: opts.proxy,
        timeoutMs: opts.timeoutMs ?? DEFAULT_WEB_TIMEOUT_MS, maxBodyBytes: MAX_BODY,
        headers: { accept: 'text/plain' },
      });
    } catch (e) {
      if (e instanceof HttpError) return `${HTTP_KIND[e.kind] ?? e.kind} (${e.message})`;
      return errorText(e);
    }
    if (res.status < 200 || res.status > 299) return `HTTP ${res.status}: ${quote(res.body)}`;
    const got = extract(res.body, regex as RegExp | undefined);
    return 'error' in got ? got.error : { address: got.text, origin: `web:${shownUrl(url)}` };
  }

  return {
    kind: 'web',
    signalsChanges: false,
    async detect(family: Family, ctx: DetectContext): Promise<Detection> {
      if (typeof regex === 'string') return failed(family, regex);
      const urls = opts.urls.length ? opts.urls : DEFAULT_ECHO_URLS[family];
      const problems: string[] = [];
      const candidates: Candidate[] = [];
      for (const url of urls) {
        if (ctx.signal?.aborted) break;
        const got = await ask(url, family, ctx);
        if (typeof got === 'string') {
          problems.push(`${shownUrl(url)}: ${got}`);
          ctx.log.debug(`web source: ${shownUrl(url)}: ${got}`);
          continue;
        }
        const sel = selectAddress(family, [got], { allowPrivate: opts.allowPrivate });
        candidates.push(...sel.candidates);
        if (sel.address) return { family, address: sel.address, candidates, warnings: [] };
        problems.push(`${shownUrl(url)}: answered ${sel.candidates[0].address}, ${sel.candidates[0].reason}`);
      }
      if (ctx.signal?.aborted) problems.push('aborted');
      return failed(family, `no echo service gave a usable IPv${family} address: ${problems.join('; ')}`, candidates);
    },
  };
}
