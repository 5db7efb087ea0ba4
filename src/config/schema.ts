import type { ProviderDef } from '../providers/types';
import { LEVELS, parseLevel } from '../util/log';
import { BOOL_HELP, parseBool } from './values';
import { judgeRange, optionRule } from './rules';
import { SectionReader } from './section-reader';
import { readService } from './service';
import { readNotify } from './notify';
import { recordTypes, type ConfigProblem, type GlobalConfig, type LoadedConfig, type ServiceConfig } from './types';
import { parseUci, ParseError, UciSection } from './uci';

/**
 * `/etc/config/ddnsd` → typed, validated services. Every bad value becomes a ConfigProblem
 * naming section, option, value and what is allowed; a service with an error is skipped and
 * the others load. The option table is in OPTIONS.md next to this file.
 */

export interface LoadOptions {
  /** The providers services may use (the CLI and daemon pass availableProviders()). */
  providers: readonly ProviderDef[];
}

const LOG_LINES = optionRule('ddnsd', 'log_lines');
export const DEFAULT_GLOBAL: GlobalConfig = { logLevel: 'info', allowPrivate: false, logLines: Number(LOG_LINES.default) };

function readGlobal(section: UciSection, problems: ConfigProblem[]): GlobalConfig {
  const r = new SectionReader(section, problems);
  const g = { ...DEFAULT_GLOBAL };
  const level = r.single('log_level');
  if (level) {
    const l = parseLevel(level.text);
    if (l) g.logLevel = l;
    else r.invalid('log_level', level, LEVELS.join(', '));
  }
  const priv = r.single('upd_privateip');
  if (priv) {
    const b = parseBool(priv.text);
    if (b === undefined) r.invalid('upd_privateip', priv, BOOL_HELP);
    else g.allowPrivate = b;
  }
  const lines = r.single('log_lines');
  if (lines) {
    const v = judgeRange(LOG_LINES, lines.text);
    if (v.ok) g.logLines = v.value!;
    else r.invalid('log_lines', lines, LOG_LINES.help);
  }
  for (const o of r.unused()) r.warn(o.name, undefined, 'unknown option in the global section; it is ignored', o.line);
  return g;
}

function parseProblem(err: ParseError): ConfigProblem {
  return {
    section: '',
    message: `${err.message} (the file is not valid UCI; nothing was loaded)`,
    ...(err.line > 0 ? { line: err.line } : {}),
  };
}

function isGlobal(s: UciSection): boolean {
  return s.type === 'ddnsd' && s.name === 'global';
}

/** Sections ddnsd does not read are reported (a typo in a type would otherwise go unnoticed). */
function otherSection(s: UciSection): ConfigProblem {
  const what = s.type === 'ddnsd' ? "only config ddnsd 'global' is read" : `unknown section type '${s.type}'`;
  return {
    section: s.name,
    message: `${what}; ddnsd reads config ddnsd 'global', config service 'NAME' and config notify 'NAME' sections, so this one is ignored`,
    line: s.line,
    severity: 'warning',
  };
}

export function loadConfig(text: string | Uint8Array, opts: LoadOptions): LoadedConfig {
  const out: LoadedConfig = { global: { ...DEFAULT_GLOBAL }, services: [], rejected: [], problems: [] };
  let sections: UciSection[];
  try {
    sections = parseUci(text, 'ddnsd').sections;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    out.problems.push(parseProblem(err));
    out.unparsable = true;
    return out;
  }
  const global = sections.find(isGlobal);
  if (global) out.global = readGlobal(global, out.problems);
  const serviceNames = sections.filter((s) => s.type === 'service').map((s) => s.name);
  out.notify = [];
  out.rejectedNotify = [];
  for (const s of sections) {
    if (s === global) continue;
    if (s.type === 'notify') {
      const problems: ConfigProblem[] = [];
      const n = readNotify(s, problems, serviceNames);
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      out.problems.push(...problems);
      if (n) out.notify.push(n);
      else out.rejectedNotify.push({ name: s.name, problems: errorsOf(problems) });
      continue;
    }
    if (s.type !== 'service') {
      out.problems.push(otherSection(s));
      continue;
    }
    const problems: ConfigProblem[] = [];
    const svc = readService(s, out.global, opts.providers, problems);
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)); // stable: file order within a section
    out.problems.push(...problems);
    if (svc) out.services.push(svc);
    else out.rejected.push({ name: s.name, problems: problems.filter((p) => p.severity !== 'warning') });
  }
  out.problems.push(...sharedRecords(out.services, sections));
  return out;
}

/** Two enabled services keeping the same record would undo each other's updates. */
function sharedRecords(services: readonly ServiceConfig[], sections: readonly UciSection[]): ConfigProblem[] {
  const owner = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const s of services.filter((x) => x.enabled)) {
    for (const type of recordTypes(s.ipVersion)) {
      for (const d of s.domains) {
        const key = `${d.toLowerCase()} ${type}`;
        const first = owner.get(key);
        if (first === undefined) {
          owner.set(key, s.name);
          continue;
        }
        problems.push({
          section: s.name,
          option: 'domain',
          value: d,
          message: `record ${d} (${type}) is also kept by service ${first}; two services would undo each other's updates`,
          line: sections.find((x) => x.name === s.name)?.line,
          severity: 'warning',
        });
      }
    }
  }
  return problems;
}

/** Errors (not warnings) among the problems. */
export function errorsOf(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.filter((p) => p.severity !== 'warning');
}

/** A rejected section's problems, one a line (`NAME.OPTION: message`), as the daemon logs and replies them. */
export function problemLines(name: string, problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `${p.option ? `${name}.${p.option}: ` : ''}${p.message}`);
}

/** `SECTION.OPTION: message (line N)`, the form `ddnsd check` prints. */
export function formatProblem(p: ConfigProblem, file = 'config'): string {
  const where = p.section === '' ? file : p.option ? `${p.section}.${p.option}` : p.section;
  const tag = p.severity === 'warning' ? 'warning: ' : '';
  const line = p.line && !p.message.includes(`at line ${p.line},`) ? ` (line ${p.line})` : '';
  return `${where}: ${tag}${p.message}${line}`;
}
