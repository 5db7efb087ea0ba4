// A small stand-in for the parts of LuCI's browser runtime that the ddnsd views use, so a
// view file can be loaded the way luci.js loads it (its source as a function body whose
// `'require x'` lines become parameters) and its load()/render() run in node.
// What is modelled: rpc.declare with LuCI's `expect` unwrapping, form.Map / sections /
// options as plain records (with depends, isActive, ucioption, remove), E() elements with
// LuCI's rule that a bare string child becomes innerHTML, text nodes, dom.content,
// poll.add, ui notifications/modals/handlers, L.resolveDefault, String.prototype.format.
// What is not: layout, CSS, real widgets, the JSON-RPC transport, translations.
import { readFileSync } from 'node:fs';

export class FakeNode {}

export class FakeText extends FakeNode {
  constructor(public text: string) {
    super();
  }
}

export class FakeElement extends FakeNode {
  children: FakeNode[] = [];
  /** Set when a bare string was given as content: LuCI assigns it to innerHTML. */
  innerHTML?: string;
  constructor(public tag: string, public attrs: Record<string, unknown>) {
    super();
  }
}

function append(el: FakeElement, children: unknown): void {
  if (children == null) return;
  if (Array.isArray(children)) {
    for (const c of children) {
      if (c instanceof FakeNode) el.children.push(c);
      else if (c != null) el.children.push(new FakeText(String(c)));
    }
  } else if (children instanceof FakeNode) el.children.push(children);
  else el.innerHTML = String(children);
}

export function E(tag: string, attrs?: unknown, children?: unknown): FakeElement {
  // E(tag, children) is allowed when the second argument is not a plain object.
  if (attrs instanceof FakeNode || Array.isArray(attrs) || typeof attrs === 'string') {
    children = attrs;
    attrs = {};
  }
  const el = new FakeElement(tag, (attrs as Record<string, unknown>) ?? {});
  append(el, children);
  return el;
}

/** All text of a subtree (text nodes and innerHTML), depth first. */
export function textOf(n: FakeNode): string {
  if (n instanceof FakeText) return n.text;
  if (n instanceof FakeElement) return (n.innerHTML ?? '') + n.children.map(textOf).join('');
  return '';
}

export function findAll(n: FakeNode, pred: (e: FakeElement) => boolean): FakeElement[] {
  if (!(n instanceof FakeElement)) return [];
  return [...(pred(n) ? [n] : []), ...n.children.flatMap((c) => findAll(c, pred))];
}

// ---- LuCI's String.prototype.format, the conversions the views use (%s, %d, %t) ----
function interval(secs: number): string {
  const parts: string[] = [];
  let s = Math.floor(secs);
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= n) {
      parts.push(`${Math.floor(s / n)}${unit}`);
      s %= n;
    }
  }
  parts.push(`${s}s`);
  return parts.join(' ');
}

export function installFormat(): void {
  Object.defineProperty(String.prototype, 'format', {
    configurable: true,
    value: function (this: string, ...args: unknown[]) {
      let i = 0;
      return this.replace(/%([sdt%])/g, (_m, c: string) =>
        c === '%' ? '%' : c === 't' ? interval(Number(args[i++])) : c === 'd' ? String(Math.floor(Number(args[i++]))) : String(args[i++]),
      );
    },
  });
}

// ---- rpc ----
export type Backend = (object: string, method: string, args: Record<string, unknown>) => unknown | Promise<unknown>;

/** LuCI's handling of a ubus reply: a non-zero status resolves to the number; `expect` picks a key. */
function unwrap(reply: unknown, expect?: Record<string, unknown>): unknown {
  let ret = reply;
  if (expect) {
    for (const key of Object.keys(expect)) {
      if (ret != null && key !== '' && typeof ret === 'object') ret = (ret as Record<string, unknown>)[key];
      const want = expect[key];
      if (ret == null || Array.isArray(ret) !== Array.isArray(want) || typeof ret !== typeof want) ret = want;
      break;
    }
  }
  return ret;
}

export interface Calls {
  rpc: { object: string; method: string; args: Record<string, unknown> }[];
  notifications: { text: string; classes: unknown[] }[];
  modals: { title: string; text: string }[];
  polls: { fn: () => Promise<unknown>; interval: number }[];
  unset: [string, string, string][];
}

// ---- form ----
class FakeOption {
  depends_: Record<string, string>[] = [];
  values: [string, string][] = [];
  ucioption?: string;
  [k: string]: unknown;
  constructor(public section: FakeSection, public kind: string, public option: string, public title?: string, public description?: string, public tab?: string) {}
  depends(k: string | Record<string, string>, v?: string): void {
    this.depends_.push(typeof k === 'string' ? { [k]: v as string } : k);
  }
  value(k: string, v?: string): void {
    this.values.push([k, v ?? k]);
  }
  /** Active when any depends() set matches the section's current form values. */
  isActive(sid: string): boolean {
    if (this.depends_.length === 0) return true;
    const fv = this.section.map.formvalues[sid] ?? {};
    return this.depends_.some((d) => Object.entries(d).every(([k, v]) => fv[k] === v));
  }
  get map() {
    return this.section.map;
  }
}

class FakeSection {
  children: FakeOption[] = [];
  tabs: [string, string][] = [];
  [k: string]: unknown;
  constructor(public map: FakeMap, public kind: string, public args: unknown[]) {}
  tab(name: string, title: string): void {
    this.tabs.push([name, title]);
  }
  option(cls: { kind: string }, name: string, title?: string, desc?: string): FakeOption {
    const o = new FakeOption(this, cls.kind, name, title, desc);
    this.children.push(o);
    return o;
  }
  taboption(tab: string, cls: { kind: string }, name: string, title?: string, desc?: string): FakeOption {
    if (!this.tabs.some(([n]) => n === tab)) throw new Error(`taboption on undeclared tab ${tab}`);
    const o = new FakeOption(this, cls.kind, name, title, desc, tab);
    this.children.push(o);
    return o;
  }
}

export class FakeMap {
  sections: FakeSection[] = [];
  /** What the form currently holds per section id, for isActive(). */
  formvalues: Record<string, Record<string, string>> = {};
  data: { unset(config: string, sid: string, option: string): void };
  constructor(public config: string, public title: string, public description: string, calls: Calls) {
    this.data = { unset: (c, s, o) => void calls.unset.push([c, s, o]) };
  }
  section(cls: { kind: string }, ...args: unknown[]): FakeSection {
    const s = new FakeSection(this, cls.kind, args);
    this.sections.push(s);
    return s;
  }
  render(): Promise<FakeMap> {
    return Promise.resolve(this);
  }
}

const kinds = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { kind: n }]));

export interface LoadedView {
  view: Record<string, any>;
  calls: Calls;
  maps: FakeMap[];
}

/** Load a LuCI view file with the given ubus backend. */
export function loadView(file: string, backend: Backend): LoadedView {
  installFormat();
  const calls: Calls = { rpc: [], notifications: [], modals: [], polls: [], unset: [] };
  const maps: FakeMap[] = [];
  const form = {
    ...kinds('NamedSection', 'TypedSection', 'GridSection', 'TableSection', 'Value', 'Flag', 'ListValue', 'DynamicList', 'MultiValue', 'DummyValue', 'TextValue', 'Button', 'HiddenValue'),
    Map: function (this: unknown, config: string, title: string, desc: string) {
      const m = new FakeMap(config, title, desc, calls);
      maps.push(m);
      return m;
    },
  };
  const modules: Record<string, unknown> = {
    view: { extend: (o: Record<string, unknown>) => o },
    rpc: {
      declare: (o: { object: string; method: string; params?: string[]; expect?: Record<string, unknown> }) =>
        (...args: unknown[]) => {
          const named: Record<string, unknown> = {};
          (o.params ?? []).forEach((p, i) => {
            if (args[i] !== undefined) named[p] = args[i];
          });
          calls.rpc.push({ object: o.object, method: o.method, args: named });
          return Promise.resolve(backend(o.object, o.method, named)).then((r) => unwrap(r, o.expect));
        },
    },
    poll: { add: (fn: () => Promise<unknown>, interval: number) => void calls.polls.push({ fn, interval }) },
    ui: {
      addNotification: (_t: unknown, node: FakeNode, ...classes: unknown[]) => void calls.notifications.push({ text: textOf(node), classes }),
      showModal: (title: string, nodes: FakeNode[]) => void calls.modals.push({ title, text: nodes.map(textOf).join('\n') }),
      hideModal: () => undefined,
      createHandlerFn: (ctx: Record<string, (...a: unknown[]) => unknown>, name: string, ...args: unknown[]) => () => ctx[name](...args),
    },
    dom: {
      content: (node: FakeElement, children: unknown) => {
        node.children = [];
        node.innerHTML = undefined;
        append(node, children);
      },
    },
    form,
    uci: { load: () => Promise.resolve() },
    widgets: kinds('NetworkSelect', 'DeviceSelect', 'ZoneSelect'),
  };
  const source = readFileSync(file, 'utf8');
  const deps = [...source.matchAll(/^'require ([\w.]+)(?: as (\w+))?';$/gm)].map((m) => m[2] ?? m[1].split('.').pop()!);
  for (const d of deps) if (!(d in modules)) throw new Error(`view requires ${d}, which the stand-in runtime does not model`);
  const L = {
    resolveDefault: (p: Promise<unknown>, def: unknown) => Promise.resolve(p).catch(() => def),
    toArray: (v: unknown) => (v == null ? [] : Array.isArray(v) ? v : String(v).split(/\s+/).filter(Boolean)),
  };
  const document = { createTextNode: (s: string) => new FakeText(s) };
  const params = ['_', 'N_', 'L', 'E', 'document', 'Node', ...deps];
  const factory = new Function(...params, source);
  const view = factory((s: string) => s, (_n: number, s: string) => s, L, E, document, FakeNode, ...deps.map((d) => modules[d]));
  return { view, calls, maps };
}
