import { hideUserinfo } from '../util/secret';
import type { ConfigProblem } from './types';
import type { UciOption, UciSection } from './uci';

/** A value as read: the text and the line it came from. */
export interface Read {
  text: string;
  line: number;
}

/**
 * Reads the options of one section once each, remembering which were used (the rest are
 * unknown options) and collecting problems that name the section, option and value. Values of
 * options for which `isSecret` is true never appear in a problem.
 */
export class SectionReader {
  readonly #used = new Set<string>();

  constructor(
    readonly section: UciSection,
    readonly problems: ConfigProblem[],
    readonly isSecret: (option: string) => boolean = () => false,
  ) {}

  #find(name: string): UciOption | undefined {
    const first = !this.#used.has(name);
    this.#used.add(name);
    const o = this.section.options.find((x) => x.name === name);
    if (o && first && [o.value].flat().some((v) => v.includes(NOT_UTF8))) {
      // The file's bytes were not UTF-8 (a Latin-1 editor): the value would reach the provider altered. The value may be a secret: not shown.
      this.error(name, undefined, 'the value is not valid UTF-8 text (an editor saved it as Latin-1?); save the file as UTF-8', o.line);
    }
    return o;
  }

  has(name: string): boolean {
    return this.section.options.some((o) => o.name === name);
  }

  /** A plain option; a `list` of that name is a problem. */
  single(name: string): Read | undefined {
    const o = this.#find(name);
    if (!o) return undefined;
    if (typeof o.value !== 'string') {
      this.error(name, undefined, `must be a single value (option ${name} '…'), not a list`, o.line);
      return undefined;
    }
    return { text: o.value, line: o.line };
  }

  /** An option that may be given once (`option`) or several times (`list`). */
  many(name: string): { items: string[]; line: number } | undefined {
    const o = this.#find(name);
    if (!o) return undefined;
    return { items: typeof o.value === 'string' ? [o.value] : o.value, line: o.line };
  }

  /** Mark an option as understood without reading it (aliases checked elsewhere). */
  use(name: string): void {
    this.#used.add(name);
  }

  unused(): UciOption[] {
    return this.section.options.filter((o) => !this.#used.has(o.name));
  }

  error(option: string | undefined, value: string | undefined, message: string, line?: number): void {
    this.#add('error', option, value, message, line);
  }

  warn(option: string | undefined, value: string | undefined, message: string, line?: number): void {
    this.#add('warning', option, value, message, line);
  }

  /** `'value' is not …; allowed: …` with the value hidden for secrets. */
  invalid(option: string, read: Read, allowed: string): void {
    this.error(option, read.text, `${this.show(option, read.text)} is not allowed; use ${allowed}`, read.line);
  }

  show(option: string, value: string): string {
    return this.isSecret(option) ? '(hidden value)' : `'${hideUserinfo(value)}'`;
  }

  #add(severity: 'error' | 'warning', option: string | undefined, value: string | undefined, message: string, line?: number): void {
    const hidden = option !== undefined && this.isSecret(option);
    const text = value !== undefined && value !== '' && !hidden ? message.split(value).join(shown(value)) : message;
    this.problems.push({
      section: this.section.name,
      ...(option !== undefined ? { option } : {}),
      ...(value !== undefined && !hidden ? { value: hideUserinfo(value) } : {}),
      message: escapeControls(text),
      line: line ?? this.#lineOf(option),
      severity,
    });
  }

  /** The option's line when it is present, else the section's (a missing option belongs there). */
  #lineOf(option: string | undefined): number {
    return this.section.options.find((o) => o.name === option)?.line ?? this.section.line;
  }

  get errors(): number {
    return this.problems.filter((p) => p.severity !== 'warning').length;
  }
}

/** What the UCI parser's UTF-8 decoder puts where the bytes are not UTF-8. */
const NOT_UTF8 = '\uFFFD';
const SHOWN_MAX = 80;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Control characters as escapes: a newline inside a value must not start a line of its own in `ddnsd check` or the log. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A value as a message quotes it: a 5,000-character value would bury the message, so the middle goes. */
function shown(value: string): string {
  if (value.length <= SHOWN_MAX) return value;
  return `${value.slice(0, SHOWN_MAX - 20)}…${value.slice(-10)} (${value.length} characters)`;
}
