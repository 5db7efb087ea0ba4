import type { UciValue } from './uci';

/**
 * UCI text in the form `uci export` writes: every name and value single-quoted (a `'`
 * becomes `'\''`), the type unquoted, a tab before each option, a blank line before each
 * section. Text written here reads back through parseUci() to the same sections, as long as
 * types avoid `#`, `'` and whitespace and no option value is empty (libuci drops those).
 */

export interface WritableOption {
  name: string;
  value: UciValue;
}

export interface WritableSection {
  type: string;
  /** Omitted (or anonymous) sections are written without a name, as `uci export` does. */
  name?: string;
  anonymous?: boolean;
  options: readonly WritableOption[];
}

/** libuci's export escaping: only `'` needs care inside single quotes. */
export function escapeUci(text: string): string {
  return text.split("'").join("'\\''");
}

export function quoteUci(text: string): string {
  return `'${escapeUci(text)}'`;
}

/** One section, starting with the blank line `uci export` puts before every `config`. */
export function formatSection(s: WritableSection): string {
  let out = `\nconfig ${escapeUci(s.type)}`;
  if (s.name !== undefined && !s.anonymous) out += ` ${quoteUci(s.name)}`;
  out += '\n';
  for (const o of s.options) {
    const items = typeof o.value === 'string' ? [o.value] : o.value;
    const keyword = typeof o.value === 'string' ? 'option' : 'list';
    for (const item of items) out += `\t${keyword} ${escapeUci(o.name)} ${quoteUci(item)}\n`;
  }
  return out;
}

/** The exact text of `uci export NAME` for a package (header line, sections, final newline). */
export function exportPackage(pkg: { name: string; sections: readonly WritableSection[] }, header = true): string {
  const head = header ? `package ${escapeUci(pkg.name)}\n` : '';
  return head + pkg.sections.map(formatSection).join('') + '\n';
}
