import { errorText } from '../util/error-text';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATE_FIELDS } from './custom';
import { placeholders, templateDef, type Template } from './url-template';
import type { FieldSpec, ProviderDef } from './types';

/**
 * ddns-scripts' provider catalogue (package ddns-scripts-services): one JSON file per
 * provider under /usr/share/ddns/{custom,default}. Each URL-template provider becomes a
 * provider under its own name, driven by the custom-URL engine, so a user coming from
 * ddns-scripts keeps every provider they had. `custom` overrides `default`; script
 * providers and names a built-in provider already replaces are skipped, with the reason.
 */

export const CATALOGUE_DIRS = ['/usr/share/ddns/custom', '/usr/share/ddns/default'];

export interface Skipped {
  name: string;
  file: string;
  reason: string;
}

export interface Catalogue {
  providers: ProviderDef[];
  skipped: Skipped[];
}

interface Entry {
  name: string;
  file: string;
  ipv4?: Template;
  ipv6?: Template;
}

/** The catalogue's providers; `builtins` are the providers whose ids and aliases win. */
export function loadCatalogue(dirs: readonly string[] = CATALOGUE_DIRS, builtins: readonly ProviderDef[] = []): ProviderDef[] {
  return scanCatalogue(dirs, builtins).providers;
}

export function scanCatalogue(dirs: readonly string[] = CATALOGUE_DIRS, builtins: readonly ProviderDef[] = []): Catalogue {
  const taken = new Map<string, string>();
  for (const b of builtins) for (const n of [b.id, ...b.aliases]) taken.set(n.toLowerCase(), b.id);
  const seen = new Set<string>();
  const out: Catalogue = { providers: [], skipped: [] };
  for (const dir of dirs) {
    for (const file of jsonFiles(dir)) {
      const entry = readEntry(file);
      if (typeof entry === 'string') {
        out.skipped.push({ name: file.replace(/^.*\//, '').replace(/\.json$/, ''), file, reason: entry });
        continue;
      }
      const id = entry.name.toLowerCase();
      if (seen.has(id)) {
        out.skipped.push({ name: entry.name, file, reason: 'overridden by an earlier directory (custom wins over default)' });
        continue;
      }
      seen.add(id);
      const builtin = taken.get(id);
      if (builtin) {
        out.skipped.push({ name: entry.name, file, reason: `replaced by the built-in provider ${builtin}` });
        continue;
      }
      out.providers.push(toDef(entry));
    }
  }
  return out;
}

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  } catch {
    return []; // no catalogue installed: nothing to add
  }
}

/** The entry, or why it cannot be used. */
function readEntry(file: string): Entry | string {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return `not valid JSON (${errorText(e)})`;
  }
  const d = (data ?? {}) as Record<string, unknown>;
  const name = typeof d.name === 'string' && d.name.trim() ? d.name.trim() : file.replace(/^.*\//, '').replace(/\.json$/, '');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return `the name "${name}" is not usable as a provider id`;
  const v4 = family(d.ipv4);
  const v6 = family(d.ipv6);
  const templates = [v4, v6].filter((x): x is Template | string => x !== undefined);
  if (templates.length === 0) return 'no ipv4 or ipv6 update URL';
  const usable = templates.filter((x): x is Template => typeof x !== 'string');
  if (usable.length === 0) return `a script provider (${templates[0]}), not an http(s) URL template`;
  return { name, file, ipv4: typeof v4 === 'string' ? undefined : v4, ipv6: typeof v6 === 'string' ? undefined : v6 };
}

/** A family block: its template, the script name it runs instead, or undefined. */
function family(v: unknown): Template | string | undefined {
  const b = (v ?? undefined) as { url?: unknown; answer?: unknown } | undefined;
  if (!b || typeof b.url !== 'string' || !b.url.trim()) return undefined;
  const url = b.url.trim();
  if (!/^https?:\/\//i.test(url)) return url;
  return typeof b.answer === 'string' && b.answer ? { url, answer: b.answer } : { url };
}

function toDef(e: Entry): ProviderDef {
  const used = new Set([...placeholders(e.ipv4?.url ?? ''), ...placeholders(e.ipv6?.url ?? '')]);
  const fields: FieldSpec[] = [];
  if (used.has('USERNAME')) fields.push({ ...TEMPLATE_FIELDS.username, required: true });
  if (used.has('PASSWORD')) fields.push({ ...TEMPLATE_FIELDS.password, required: true });
  if (used.has('PARAMENC')) fields.push(TEMPLATE_FIELDS.param_enc);
  if (used.has('PARAMOPT')) fields.push(TEMPLATE_FIELDS.param_opt);
  if ([e.ipv4, e.ipv6].some((t) => t?.url.startsWith('http:'))) {
    fields.push({ name: 'use_https', label: 'Use HTTPS', type: 'boolean', default: '1', help: 'The provider file says http://; send it over https:// (turn off only if the provider has no HTTPS).' });
  }
  return templateDef(
    { id: e.name.toLowerCase(), title: `${e.name} (ddns-scripts)`, aliases: [], fields, ipv4: e.ipv4, ipv6: e.ipv6 },
    { ipv4: e.ipv4 !== undefined, ipv6: e.ipv6 !== undefined },
  );
}
