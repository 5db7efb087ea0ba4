import { inspect } from 'node:util';

const MASK = '***';

/**
 * A value that must never be printed: passwords, tokens, TSIG keys, update-URL tokens.
 * Every way of turning it into text (string conversion, JSON, util.inspect, template
 * literals) yields a mask; only `reveal()` gives the value, and only code that puts it
 * on the wire should call that.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get empty(): boolean {
    return this.#value.length === 0;
  }

  equals(other: Secret | undefined): boolean {
    return other !== undefined && other.#value === this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}

/**
 * Replace every occurrence of each secret's text (and its URL-encoded form) in `text`.
 * A second line of defence for text that came from elsewhere (a provider's reply
 * echoing our request, an exception message quoting a URL).
 */
export function redact(text: string, secrets: Iterable<Secret | string>): string {
  let out = text;
  for (const s of secrets) {
    const raw = typeof s === 'string' ? s : s.reveal();
    if (raw.length < 3) continue; // too short to mask without destroying the message
    for (const form of new Set([raw, encodeURIComponent(raw), Buffer.from(raw).toString('base64')])) {
      out = out.split(form).join(MASK);
    }
  }
  return out;
}
