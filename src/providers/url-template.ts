import { basicAuth } from '../net/http';
import { boundedExec, RegexTimeout } from '../util/regex';
import { Secret } from '../util/secret';
import { eachGroup, endpointProblem, result, send, statusFailure, WAIT, withEndpoint } from './ddns-http';
import { OptionReader, snippet } from './rest';
import type { FieldSpec, ProviderContext, ProviderDef, ProviderInput, RecordUpdate, SettingsResult, UpdateResult } from './types';

/**
 * ddns-scripts' URL templates (reference/ddns-scripts.md §2), the engine behind the `custom`
 * provider and every provider of the ddns-scripts catalogue: placeholders filled with
 * ddns-scripts' encoding rules, userinfo turned into Basic auth, one GET per record, and an
 * optional answer regex matched case-insensitively against the body.
 */

export interface Template {
  url: string;
  /** Extended regex the body must match (case-insensitive); absent: any 2xx answer is success. */
  answer?: string;
}

export interface TemplateSpec {
  id: string;
  title: string;
  aliases: string[];
  docs?: string;
  fields: FieldSpec[];
  /** Fixed templates (catalogue); absent: read from the options (`update_url`, `update_url6`, `answer`). */
  ipv4?: Template;
  ipv6?: Template;
}

const PLACEHOLDER = /\[(USERNAME|PASSWORD|DOMAIN|IP|PARAMENC|PARAMOPT)\]/g;

/** ddns-scripts' urlencode: everything but `A-Z a-z 0-9 - _ . ~` as %XX of its UTF-8 bytes. */
export function ddnsEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export interface Values {
  username: string;
  password: string;
  domain: string;
  ip: string;
  paramEnc: string;
  paramOpt: string;
}

/** Fill a template in one pass (a value that contains `[IP]` stays as it is). */
export function expand(template: string, v: Values): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    switch (name) {
      case 'USERNAME': return ddnsEncode(v.username);
      case 'PASSWORD': return ddnsEncode(v.password);
      case 'PARAMENC': return ddnsEncode(v.paramEnc);
      case 'DOMAIN': return v.domain;
      case 'PARAMOPT': return v.paramOpt;
      default: return v.ip;
    }
  });
}

/** Placeholders a template uses. */
export function placeholders(template: string): Set<string> {
  return new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]));
}

/** Bracketed upper-case words that are not ddns-scripts placeholders (typos such as `[HOST]`). */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\[([A-Z_]+)\]/g)].map((m) => m[1]).filter((n) => !placeholders(`[${n}]`).size);
}

/** POSIX bracket classes of grep -E that JavaScript does not know. */
export function answerRegex(answer: string): RegExp {
  const classes: Record<string, string> = {
    digit: '0-9', alpha: 'A-Za-z', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', xdigit: '0-9A-Fa-f', punct: '!-/:-@[-`{-~',
  };
  return new RegExp(answer.replace(/\[:([a-z]+):\]/g, (m, c: string) => classes[c] ?? m), 'i');
}

/** Why a reply fails the `answer` regex, or undefined when it matches (bounded: the reply is the server's). */
function answerMismatch(answer: string, body: string): string | undefined {
  try {
    return boundedExec(answerRegex(answer), body) ? undefined : `does not match the expected answer /${answer}/`;
  } catch (e) {
    if (e instanceof RegexTimeout) return `the expected answer /${answer}/ took too long to match and was stopped (simplify it)`;
    throw e;
  }
}

interface Settings {
  title: string;
  v4?: Template;
  v6?: Template;
  values: Omit<Values, 'domain' | 'ip'>;
  https: boolean;
  endpoint?: string;
  proxy?: string;
  secrets: Secret[];
}

export function templateDef(spec: TemplateSpec, capabilities: { ipv4: boolean; ipv6: boolean }): ProviderDef {
  return {
    id: spec.id,
    title: spec.title,
    aliases: spec.aliases,
    docs: spec.docs,
    fields: spec.fields,
    capabilities: {
      ...capabilities, dualStackOneRequest: false, hostsPerRequest: 1, ttl: false, proxied: false, read: false, credentialTest: false,
    },
    settings: (input) => templateSettings(spec, input),
    create: (s: Settings) => ({ update: (updates, ctx) => eachGroup(updates, updates.map((u) => [u]), s.secrets, async ([u]) => [await updateOne(s, u, ctx)]) }),
  };
}

function templateSettings(spec: TemplateSpec, options: ProviderInput): SettingsResult<Settings> {
  const o = new OptionReader(options);
  const fixed = spec.ipv4 !== undefined || spec.ipv6 !== undefined;
  const answer = o.string('answer') || undefined;
  const v4 = fixed ? spec.ipv4 : { url: o.string('update_url', true), answer };
  const url6 = o.string('update_url6');
  const v6 = fixed ? spec.ipv6 : { url: url6 || (v4?.url ?? ''), answer };
  const password = o.secret('password', needs(spec, 'PASSWORD'));
  const paramEnc = o.secret('param_enc', false);
  const values = { username: o.string('username', needs(spec, 'USERNAME')), password: password.reveal(), paramEnc: paramEnc.reveal(), paramOpt: o.string('param_opt') };
  if (v4?.url) checkTemplate(o, v4, 'update_url');
  if (v6?.url && v6 !== v4) checkTemplate(o, v6, url6 ? 'update_url6' : 'update_url');
  const endpoint = (typeof options.endpoint === 'string' ? options.endpoint.trim() : '') || undefined;
  const bad = endpointProblem(endpoint);
  if (bad) o.problem('endpoint', bad);
  const https = o.bool('use_https', fixed);
  // The encoded forms travel in URLs; mask them too.
  const literal = [v4?.url, v6?.url].flatMap((u) => (u ? literalTokens(u) : []));
  const secrets = [...o.secrets, ...o.secrets.map((x) => new Secret(ddnsEncode(x.reveal()))), ...literal.map((x) => new Secret(x))];
  return o.result({ title: spec.title, v4, v6, values, https, endpoint, proxy: o.string('proxy') || undefined, secrets });
}

/**
 * Parts of an update URL template that look like credentials written into it by hand
 * (`https://user:pw@host/`, `/update/<token>/`, `?key=<token>`): masked in messages as the
 * password is. Which literal parts are tokens cannot be known, so this guesses generously:
 * the userinfo password, every query value of 6 characters or more, and path segments of 12
 * or more, or of 6 or more mixing letters and digits. Placeholders and dotted names are never tokens.
 */
export function literalTokens(template: string): string[] {
  const m = /^[a-z]+:\/\/(?:([^/@?#]*)@)?[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(template);
  if (!m) return [];
  const [, userinfo, path, query] = m;
  const out: string[] = [];
  const pw = userinfo?.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : undefined;
  if (pw) out.push(pw, safeDecode(pw));
  for (const seg of path.split('/')) {
    if (seg.length >= 12 || (seg.length >= 6 && /\d/.test(seg) && /[a-z]/i.test(seg))) out.push(seg, safeDecode(seg));
  }
  for (const pair of (query ?? '').split('&')) {
    const v = pair.slice(pair.indexOf('=') + 1);
    if (pair.includes('=') && v.length >= 6) out.push(v, safeDecode(v));
  }
  return [...new Set(out)].filter((x) => x.length >= 6 && !PLACEHOLDER_IN.test(x) && !DOTTED_NAME.test(x));
}

const PLACEHOLDER_IN = /\[[A-Z]+\]/;
/** A host name or address written into the URL (`hostname=home.example.com`) is not a token. */
const DOTTED_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Catalogue providers need the options their templates use; `custom` cannot know in advance. */
function needs(spec: TemplateSpec, name: string): boolean {
  return [spec.ipv4?.url, spec.ipv6?.url].some((u) => u !== undefined && placeholders(u).has(name));
}

function checkTemplate(o: OptionReader, t: Template, option: string): void {
  // The URL itself is not quoted: it often carries the account's token.
  if (!/^https?:\/\//i.test(t.url)) o.problem(option, 'the update URL must start with http:// or https://');
  const unknown = unknownPlaceholders(t.url);
  if (unknown.length) o.problem(option, `unknown placeholder(s) ${unknown.map((n) => `[${n}]`).join(' ')} in the update URL; known: [USERNAME] [PASSWORD] [DOMAIN] [IP] [PARAMENC] [PARAMOPT]`);
  if (t.answer !== undefined) {
    try {
      answerRegex(t.answer);
    } catch {
      o.problem('answer', `option answer is not a valid regular expression: ${t.answer}`);
    }
  }
}

/** The URL to call and the Basic auth its userinfo asks for. */
export function prepare(s: Pick<Settings, 'https' | 'endpoint'>, template: string, v: Values): { url: string; auth?: string } {
  let text = expand(template, v);
  if (s.https) text = text.replace(/^http:/i, 'https:');
  const u = new URL(text);
  const auth = u.username || u.password ? basicAuth(decodeURIComponent(u.username), decodeURIComponent(u.password)) : undefined;
  u.username = '';
  u.password = '';
  return { url: withEndpoint(u.href, s.endpoint), auth };
}

async function updateOne(s: Settings, u: RecordUpdate, ctx: ProviderContext): Promise<UpdateResult> {
  const t = u.record.type === 'A' ? s.v4 : s.v6;
  if (!t?.url) return result(u, 'config', `${s.title} has no IPv${u.record.type === 'A' ? 4 : 6} update URL`, s.secrets);
  let prepared: { url: string; auth?: string };
  try {
    prepared = prepare(s, t.url, { ...s.values, domain: u.record.name, ip: u.address });
  } catch {
    return result(u, 'config', `${s.title}: the update URL is not a valid URL once filled in; check the template and option values`, s.secrets);
  }
  const call = { title: s.title, what: `update ${u.record.name}` };
  const res = await send(ctx, {
    ...call,
    req: { method: 'GET', url: prepared.url, proxy: s.proxy, headers: prepared.auth ? { Authorization: prepared.auth } : {} },
    secrets: s.secrets,
  });
  const f = statusFailure(res, call, (ctx.now ?? Date.now)());
  if (f) throw f;
  const mismatch = t.answer ? answerMismatch(t.answer, res.body) : undefined;
  if (mismatch) {
    return result(u, 'transient', `${s.title} answered "${snippet(res.body)}" for ${u.record.name}, which ${mismatch}; will retry`, s.secrets, WAIT.unexpected);
  }
  return result(u, 'ok', `${s.title} set ${u.record.name} ${u.record.type} to ${u.address}${res.body.trim() ? ` ("${snippet(res.body)}")` : ''}`, s.secrets);
}
