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
 * Replace every occurrence of each secret's text (and its encoded forms) in `text`.
 * A second line of defence for text that came from elsewhere (a provider's reply
 * echoing our request, an exception message quoting a URL).
 */
export function redact(text: string, secrets: Iterable<Secret | string>): string {
  let out = text;
  for (const s of secrets) {
    const raw = typeof s === 'string' ? s : s.reveal();
    if (raw.length < 3) continue; // too short to mask without destroying the message
    for (const form of wireForms(raw)) {
      out = out.split(form).join(MASK);
    }
  }
  return out;
}

/**
 * The secret as it travels: raw, percent-encoded (encodeURIComponent), form-encoded
 * (URLSearchParams: space as `+`, `!'()*` escaped), and in base64. Inside a Basic auth
 * header the secret follows `user:`, so its base64 depends on where it starts in a 3-byte
 * group; the whole 4-character groups of each of the three alignments are masked, which
 * leaves at most two bytes at either end readable.
 */
function wireForms(raw: string): string[] {
  const forms = new Set([raw, encodeURIComponent(raw), new URLSearchParams({ s: raw }).toString().slice(2)]);
  const bytes = Buffer.from(raw, 'utf8');
  forms.add(bytes.toString('base64'));
  for (let skip = 0; skip < 3; skip++) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole >= 6) forms.add(bytes.subarray(skip, skip + whole).toString('base64'));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * `scheme://user:password@host` → `scheme://user:***@host` anywhere in `text`: for values that
 * are not secret options but may carry a password (an endpoint, an ip_url) when quoted.
 */
export function hideUserinfo(text: string): string {
  return text.replace(/(\/\/[^/?#@\s:]*):[^/?#@\s]*@/g, `$1:${MASK}@`);
}
