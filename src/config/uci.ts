/**
 * UCI text parser that behaves like OpenWrt's libuci in strict mode (`uci_import` as used by
 * `uci_load`). It is the only reader of `/etc/config/*` in ddnsd.
 *
 * libuci parses in place: it reads one physical line at a time into a growing buffer, unquotes
 * arguments by copying bytes towards the start of the buffer and writes NUL bytes to end them.
 * Several of its surprises (the `;` rules, `config` alone on a line, backslash continuations
 * that end an argument, the line and byte it reports) only follow from that, so this parser
 * keeps the same kind of byte buffer and cursor instead of tokenising the text first.
 * See shared/fixtures/uci/README.md for the behaviours the conformance test pins down.
 */

/** A plain `option` is a string; a `list` is an array (even with one item). */
export type UciValue = string | string[];

export interface UciOption {
  name: string;
  value: UciValue;
  /** Physical line (1-based, as an editor counts) of the statement that last set it. */
  line: number;
}

export interface UciSection {
  /** The section's name; anonymous sections get libuci's generated `cfgNNHHHH` name. */
  name: string;
  type: string;
  anonymous: boolean;
  /** `@type[n]`: the index among all sections of this type (named ones included). */
  ref: string;
  /** Physical line of the `config` statement that opened it. */
  line: number;
  options: UciOption[];
}

export interface UciPackage {
  name: string;
  sections: UciSection[];
}

/** libuci's parse error: its reason text, its line counter and its byte offset. */
export class ParseError extends Error {
  constructor(
    readonly reason: string,
    /** libuci's count of `\n`-terminated lines read so far (one less on a final line without `\n`). */
    readonly line: number,
    /** Offset of the cursor in libuci's buffer for the current logical line. */
    readonly byte: number,
  ) {
    super(`parse error (${reason}) at line ${line}, byte ${byte}`);
    this.name = 'ParseError';
  }
}

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const SEMI = 0x3b;
const BACKSLASH = 0x5c;
const SQUOTE = 0x27;
const DQUOTE = 0x22;

/** C's isspace() in the C locale. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** libuci's name/type/package check: names `[A-Za-z0-9_]`, packages also `-`, types printable ASCII. */
function validName(bytes: number[], kind: 'name' | 'type' | 'package'): boolean {
  if (bytes.length === 0) return false;
  return bytes.every(
    (c) => isAlnum(c) || c === 0x5f || (c === 0x2d && kind === 'package') || (kind === 'type' && c >= 33 && c <= 126),
  );
}

/** The hash libuci uses for generated section names (DJB, seed 5381, 31 bits). */
function djbHash(bytes: number[]): number {
  let h = 5381;
  for (const c of bytes) h = (Math.imul(h, 33) + (c > 127 ? c - 256 : c)) >>> 0;
  return h & 0x7fffffff;
}

/** A file read the way stdio's fgets() reads it (the NUL-byte and EOF flag behaviour matter). */
class LineReader {
  #pos = 0;
  eof = false;
  constructor(private readonly data: Uint8Array) {}

  /** Up to `max` bytes, stopping after a newline; undefined at the end of the data. */
  fgets(max: number): Uint8Array | undefined {
    if (this.#pos >= this.data.length) {
      this.eof = true;
      return undefined;
    }
    let end = this.#pos;
    while (end < this.data.length && end - this.#pos < max) {
      if (this.data[end++] === NL) break;
    }
    const chunk = this.data.subarray(this.#pos, end);
    this.#pos = end;
    if (end >= this.data.length && chunk[chunk.length - 1] !== NL && chunk.length < max) this.eof = true;
    return chunk;
  }
}

const utf8 = new TextDecoder('utf-8');

/** Names, types and keywords are checked to be ASCII before they are used as text. */
function ascii(bytes: number[]): string {
  return Buffer.from(bytes).toString('latin1');
}

class Parser {
  readonly #reader: LineReader;
  /** libuci's line buffer; a 0 byte ends a string, as in C. */
  #buf: number[] = [];
  #bufsz = 32;
  #filled = 0;
  #pos = 0;
  #target = 0;
  #line = 0;
  /** Physical line where the current logical line began (for problem reports). */
  #stmtLine = 1;
  #sections: UciSection[] = [];
  #section: UciSection | undefined;
  #count = 0;

  constructor(data: Uint8Array, private readonly pkg: string) {
    this.#reader = new LineReader(data);
  }

  run(): UciPackage {
    while (!this.#reader.eof) {
      this.#pos = 0;
      this.#stmtLine = this.#line + 1;
      this.#getln(0);
      if (this.#c(0) !== 0) this.#parseLine();
    }
    this.#assignRefs();
    return { name: this.pkg, sections: this.#sections };
  }

  #c(i: number): number {
    return i < this.#buf.length ? this.#buf[i] : 0;
  }

  #fail(reason: string): never {
    throw new ParseError(reason, this.#line, this.#pos);
  }

  /** Append the next physical line at `offset` (fgets into a buffer that doubles when full). */
  #getln(offset: number): void {
    if (offset >= this.#bufsz - 1) this.#bufsz *= 2;
    let ofs = offset;
    for (;;) {
      this.#buf[ofs] = 0;
      const chunk = this.#reader.fgets(this.#bufsz - ofs - 1);
      if (!chunk) return;
      for (let i = 0; i < chunk.length; i++) this.#buf[ofs + i] = chunk[i];
      this.#buf[ofs + chunk.length] = 0;
      if (chunk[0] === 0) return;
      const nul = chunk.indexOf(0);
      ofs += nul < 0 ? chunk.length : nul;
      this.#filled = ofs;
      if (this.#buf[ofs - 1] === NL) {
        this.#line++;
        return;
      }
      this.#bufsz *= 2;
    }
  }

  #str(ofs: number): number[] {
    const out: number[] = [];
    for (let i = ofs; this.#c(i) !== 0; i++) out.push(this.#buf[i]);
    return out;
  }

  #skipWhitespace(): void {
    while (this.#c(this.#pos) !== 0 && isSpace(this.#c(this.#pos))) this.#pos++;
  }

  #addc(): void {
    this.#buf[this.#target++] = this.#buf[this.#pos++];
  }

  /** After a backslash: false when it ended the line (the next line was joined on). */
  #backslash(): boolean {
    this.#pos++;
    const c = this.#c(this.#pos);
    const crlfEnd = c === CR && this.#c(this.#pos + 1) === NL && this.#c(this.#pos + 2) === 0;
    if (c === 0 || c === NL || crlfEnd) {
      this.#getln(this.#pos);
      return false;
    }
    return true;
  }

  #doubleQuoted(): void {
    this.#pos++;
    for (;;) {
      const c = this.#c(this.#pos);
      if (c === DQUOTE) {
        this.#pos++;
        return;
      }
      if (c === 0) {
        this.#getln(this.#pos);
        if (this.#c(this.#pos) === 0) this.#fail('EOF with unterminated "');
      } else if (c !== BACKSLASH || this.#backslash()) {
        this.#addc();
      }
    }
  }

  #singleQuoted(): void {
    this.#pos++;
    for (;;) {
      const c = this.#c(this.#pos);
      if (c === SQUOTE) {
        this.#pos++;
        return;
      }
      if (c === 0) {
        this.#getln(this.#pos);
        if (this.#c(this.#pos) === 0) this.#fail("EOF with unterminated '");
      } else {
        this.#addc();
      }
    }
  }

  /** One argument: quoted and unquoted pieces glued together, unquoted in place. */
  #parseStr(): void {
    let next = true;
    done: do {
      const c = this.#c(this.#pos);
      switch (c) {
        case SQUOTE:
          this.#singleQuoted();
          break;
        case DQUOTE:
          this.#doubleQuoted();
          break;
        case HASH:
          this.#buf[this.#pos] = 0; // a comment ends the whole line
          break done;
        case 0:
          break done;
        case SEMI:
          next = false;
          break done;
        case BACKSLASH:
          if (!this.#backslash()) continue;
          this.#addc();
          break;
        default:
          this.#addc();
      }
    } while (this.#c(this.#pos) !== 0 && !isSpace(this.#c(this.#pos)));
    if (this.#c(this.#pos) !== 0 && next) this.#pos++;
    this.#buf[this.#target] = 0;
  }

  #nextArg(required: boolean, kind?: 'name' | 'package'): number {
    this.#skipWhitespace();
    const val = this.#pos;
    this.#target = val;
    if (this.#c(this.#pos) === SEMI) {
      this.#buf[this.#pos++] = 0;
    } else {
      this.#parseStr();
    }
    if (this.#c(val) === 0) {
      if (required) this.#fail('insufficient arguments');
      return val;
    }
    if (kind && !validName(this.#str(val), kind)) this.#fail('invalid character in name field');
    return val;
  }

  #assertEol(): void {
    this.#skipWhitespace();
    const ofs = this.#nextArg(false);
    if (this.#c(ofs) !== 0) this.#fail('too many arguments');
  }

  /** Step over the keyword (libuci: strlen of the strtok'd word plus its terminator). */
  #skipKeyword(wordEnd: number, reason: string): void {
    const add = wordEnd - this.#pos + 1;
    if (this.#pos + add > this.#filled) this.#fail(reason);
    this.#pos += add;
  }

  #parseLine(): void {
    this.#skipWhitespace();
    for (;;) {
      let s = this.#pos;
      while (this.#c(s) === SPACE || this.#c(s) === TAB) s++;
      if (this.#c(s) === 0) return;
      let e = s;
      while (this.#c(e) !== 0 && this.#c(e) !== SPACE && this.#c(e) !== TAB) e++;
      if (this.#c(e) !== 0) this.#buf[e] = 0;
      const word = ascii(this.#buf.slice(s, e));
      if (word[0] === '#') return;
      if (word === 'p' || word === 'package') this.#parsePackage(e);
      else if (word === 'c' || word === 'config') this.#parseConfig(e);
      else if (word === 'o' || word === 'option') this.#parseOption(e, false);
      else if (word === 'l' || word === 'list') this.#parseOption(e, true);
      else this.#fail('invalid command');
    }
  }

  /** `package NAME` is checked but ignored: the package name comes from the file name. */
  #parsePackage(wordEnd: number): void {
    this.#skipKeyword(wordEnd, 'package without name');
    this.#nextArg(true, 'package');
    this.#assertEol();
  }

  #parseConfig(wordEnd: number): void {
    this.#skipKeyword(wordEnd, 'config without name');
    const typeOfs = this.#nextArg(true);
    const type = this.#str(typeOfs);
    if (!validName(type, 'type')) this.#fail('invalid character in type field');
    const nameOfs = this.#nextArg(false, 'name');
    this.#assertEol();
    const name = this.#str(nameOfs);
    this.#section = name.length === 0 ? this.#addAnonymous(type) : this.#addNamed(name, type);
  }

  #addAnonymous(typeBytes: number[]): UciSection {
    this.#count++;
    const hash = (djbHash(typeBytes) % 65536).toString(16).padStart(4, '0');
    const name = `cfg${this.#count.toString(16).padStart(2, '0')}${hash}`;
    return this.#push(name, typeBytes, true);
  }

  /** A named section that already exists is merged into (same type) or an error (other type). */
  #addNamed(nameBytes: number[], typeBytes: number[]): UciSection {
    const name = ascii(nameBytes);
    const type = ascii(typeBytes);
    const prior = this.#sections.find((s) => s.name === name);
    if (prior) {
      if (prior.type !== type) this.#fail('section of different type overwrites prior section with same name');
      return prior;
    }
    this.#count++;
    return this.#push(name, typeBytes, false);
  }

  #push(name: string, typeBytes: number[], anonymous: boolean): UciSection {
    const s: UciSection = {
      name,
      type: ascii(typeBytes),
      anonymous,
      ref: '',
      line: this.#stmtLine,
      options: [],
    };
    this.#sections.push(s);
    return s;
  }

  #parseOption(wordEnd: number, list: boolean): void {
    const section = this.#section;
    if (!section) this.#fail('option/list command found before the first section');
    this.#skipKeyword(wordEnd, 'option without name');
    const nameOfs = this.#nextArg(true, 'name');
    const valueOfs = this.#nextArg(false);
    this.#assertEol();
    const name = ascii(this.#str(nameOfs));
    const value = utf8.decode(Uint8Array.from(this.#str(valueOfs)));
    if (list) addListItem(section, name, value, this.#stmtLine);
    else setOption(section, name, value, this.#stmtLine);
  }

  #assignRefs(): void {
    const seen = new Map<string, number>();
    for (const s of this.#sections) {
      const n = seen.get(s.type) ?? 0;
      s.ref = `@${s.type}[${n}]`;
      seen.set(s.type, n + 1);
    }
  }
}

/** `option`: an empty value is a no-op; a new value replaces a string or list in its position. */
function setOption(section: UciSection, name: string, value: string, line: number): void {
  if (value === '') return;
  const prior = section.options.find((o) => o.name === name);
  if (!prior) {
    section.options.push({ name, value, line });
  } else {
    prior.value = value;
    prior.line = line;
  }
}

/** `list`: appends (empty items too); a plain option of that name becomes the list's first item. */
function addListItem(section: UciSection, name: string, value: string, line: number): void {
  const prior = section.options.find((o) => o.name === name);
  if (!prior) {
    section.options.push({ name, value: [value], line });
  } else {
    prior.value = typeof prior.value === 'string' ? [prior.value, value] : [...prior.value, value];
    prior.line = line;
  }
}

/**
 * Parse UCI text as libuci does. `pkg` is the package name (libuci takes it from the file
 * name; `package` statements are checked but ignored). Throws ParseError, and nothing else.
 */
export function parseUci(text: string | Uint8Array, pkg = ''): UciPackage {
  const data = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return new Parser(data, pkg).run();
}
