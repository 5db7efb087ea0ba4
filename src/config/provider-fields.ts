import type { FieldSpec, ProviderDef, ProviderOptions } from '../providers/types';
import { Secret } from '../util/secret';
import { isHost, isHttpUrl, parseBool, BOOL_HELP } from './values';
import { durationHelp, parseDuration } from './duration';
import type { Read, SectionReader } from './section-reader';

/** Options whose names mark them as secret even when no provider says so. */
const SECRET_NAME = /pass|secret|token|key/i;

/** Whether an option's value must never be shown, for this provider (or any, when unknown). */
export function secretOptions(provider: ProviderDef | undefined): Set<string> {
  // proxy may carry user:pass; an update URL template usually carries a token.
  const names = new Set<string>(['proxy', 'update_url']);
  for (const f of provider?.fields ?? []) if (f.secret || f.type === 'password') names.add(f.name);
  return names;
}

/**
 * Secret by the provider's word, or (with `byName`) by a name that looks like a credential:
 * used when the provider is unknown, and for the fingerprint, where hashing too much is harmless.
 */
export function isSecretOption(names: ReadonlySet<string>, option: string, byName = true): boolean {
  return names.has(option) || (byName && SECRET_NAME.test(option));
}

/** What a field accepts, for messages. */
function allowed(f: FieldSpec): string {
  switch (f.type) {
    case 'number':
      return f.min !== undefined && f.max !== undefined ? `a whole number from ${f.min} to ${f.max}` : 'a number';
    case 'boolean':
      return BOOL_HELP;
    case 'choice':
      return (f.choices ?? []).map((c) => c.value).join(', ');
    case 'url':
      return 'an http:// or https:// URL';
    case 'hostname':
      return 'a host or zone name (example.com)';
    case 'duration':
      return durationHelp();
    default:
      return f.patternHelp ?? 'any text';
  }
}

/** The normalised value, or undefined when the text does not fit the field's type. */
function convert(f: FieldSpec, text: string): string | undefined {
  switch (f.type) {
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
      const n = Number(text);
      return (f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max) ? undefined : text;
    }
    case 'boolean': {
      const b = parseBool(text);
      return b === undefined ? undefined : b ? '1' : '0';
    }
    case 'choice':
      return (f.choices ?? []).some((c) => c.value === text) ? text : undefined;
    case 'url':
      return isHttpUrl(text) ? text : undefined;
    case 'hostname':
      return isHost(text.replace(/\.$/, '')) ? text.replace(/\.$/, '') : undefined;
    case 'duration':
      return parseDuration(text) === undefined ? undefined : text.trim();
    default:
      return f.pattern === undefined || new RegExp(f.pattern, 'u').test(text) ? text : undefined;
  }
}

function readList(r: SectionReader, f: FieldSpec): string[] | undefined {
  const got = r.many(f.name);
  if (!got) return f.default === undefined ? undefined : [f.default];
  const out: string[] = [];
  for (const text of got.items) {
    const v = convert(f, text);
    if (v === undefined) r.invalid(f.name, { text, line: got.line }, allowed(f));
    else out.push(v);
  }
  return out;
}

function readSingle(r: SectionReader, f: FieldSpec): string | Secret | undefined {
  const got: Read | undefined = r.single(f.name);
  const text = got?.text ?? f.default;
  if (text === undefined) return undefined;
  const v = convert(f, text);
  if (v === undefined) {
    r.invalid(f.name, got ?? { text, line: r.section.line }, allowed(f));
    return undefined;
  }
  return f.secret || f.type === 'password' ? new Secret(v) : v;
}

/** Validate a service's provider-specific options against the provider's declared fields. */
export function readProviderOptions(r: SectionReader, provider: ProviderDef): ProviderOptions {
  const out: Record<string, string | Secret | string[] | undefined> = {};
  for (const f of provider.fields) {
    const value = f.list ? readList(r, f) : readSingle(r, f);
    const excused = f.requiredUnless !== undefined && r.has(f.requiredUnless);
    if (value === undefined && f.required && !r.has(f.name) && !excused) {
      const unless = f.requiredUnless ? `, unless ${f.requiredUnless} is set` : '';
      r.error(f.name, undefined, `required by provider ${provider.id} (${f.label})${unless}`);
    }
    if (value !== undefined) out[f.name] = value;
  }
  return out;
}
