import type { UciSection, UciValue } from './uci';
import type { WritableOption } from './uci-writer';

/** What the import says about one option of the source (or a whole section). */
export interface ImportNote {
  section: string;
  option?: string;
  message: string;
}

/** ddns-scripts options ddnsd has no use for, with the reason given to the user. */
const NOT_NEEDED: Record<string, string> = {
  use_api_check: 'ddnsd verifies through the provider API where it can, without an option',
  is_glue: 'ddnsd resolves records itself; glue lookups are not needed',
  force_dnstcp: 'ddnsd chooses UDP or TCP for its DNS queries itself',
  user_agent: 'ddnsd sends its own User-Agent, as providers ask',
  check_interval_min: 'ddnsd is event-driven and has no lower bound to configure',
  use_https: 'ddnsd providers use HTTPS where the provider offers it',
  param_enc: 'this provider does not use it',
  param_opt: 'this provider does not use it',
  answer: 'only an update_url has an answer pattern',
};

/**
 * One ddns-scripts section being converted: the options written, the source options read
 * (the rest are reported when it is done), notes, and the problems that keep the service
 * from running (written as `list import_problem`, which check refuses until it is deleted).
 */
export class Conversion {
  readonly out: WritableOption[] = [];
  readonly problems: string[] = [];
  readonly #consumed = new Set<string>();

  constructor(
    readonly src: UciSection,
    readonly notes: ImportNote[],
  ) {}

  /** A source option's value, marking it as handled. */
  get(name: string): string | undefined {
    this.#consumed.add(name);
    return this.peek(name);
  }

  /** A source option's value without taking it (another step maps it too). */
  peek(name: string): string | undefined {
    const o = this.src.options.find((x) => x.name === name);
    if (!o) return undefined;
    return typeof o.value === 'string' ? o.value : o.value.join(' ');
  }

  items(name: string): string[] | undefined {
    this.#consumed.add(name);
    const o = this.src.options.find((x) => x.name === name);
    return o === undefined ? undefined : typeof o.value === 'string' ? [o.value] : o.value;
  }

  /** Whether a step has handled the option already. */
  taken(name: string): boolean {
    return this.#consumed.has(name);
  }

  set(name: string, value: UciValue): void {
    const at = this.out.findIndex((o) => o.name === name);
    if (at >= 0) this.out[at] = { name, value };
    else this.out.push({ name, value });
  }

  unset(name: string): void {
    const at = this.out.findIndex((o) => o.name === name);
    if (at >= 0) this.out.splice(at, 1);
  }

  written(name: string): UciValue | undefined {
    return this.out.find((o) => o.name === name)?.value;
  }

  note(option: string | undefined, message: string): void {
    this.notes.push({ section: this.src.name, ...(option ? { option } : {}), message });
  }

  /** Something the user must fix before the service can run; noted, and written into the service. */
  problem(option: string | undefined, message: string): void {
    this.problems.push(message);
    this.note(option, `needs you: ${message}`);
  }

  /** Report every source option nobody read. */
  leftovers(): void {
    for (const o of this.src.options) {
      if (this.#consumed.has(o.name)) continue;
      const why = NOT_NEEDED[o.name] ?? 'not a ddns-scripts option ddnsd knows';
      this.note(o.name, `not imported: ${why}`);
    }
  }
}
