// A small stand-in for the parts of LuCI's browser runtime that the ddnsd views use, so a
// view file can be loaded the way luci.js loads it (its source as a function body whose
// `'require x'` lines become parameters) and its load()/render() run in node.
//
// It follows LuCI's own semantics, read in openwrt/luci,
// modules/luci-base/htdocs/luci-static/resources/:
// - luci.js `dom.create` (E): the second argument is the attributes whenever it is an Object
//   and not an array, a DOM node included (a node passed there is taken for attributes, and
//   having no own enumerable properties it sets none: the element stays empty); otherwise it
//   is the content. `dom.attr`: null/undefined skipped, functions become event listeners,
//   objects JSON, anything else the attribute's string. `dom.append`: an array's items are
//   nodes or text (`${item}`, so null shows as "null": luci.js tests the array, not the item,
//   for null), a function is called with the node, a node is appended, any other non-null
//   value is assigned to innerHTML (markup!).
// - ui.js `addNotification(title, children, ...classes)`: a div.alert-message whose content is
//   an h4 of the title (when not null, as markup) and `children` appended by `dom.append`;
//   the extra arguments are CSS classes. `showModal(title, children)` likewise appends.
// - uci.js `get(config, sid, option)` and `sections(config, type)` over the test's data (a
//   section's type in its '.type' key).
// - form.js: `depends(field, value)` / `depends({...})` add alternatives (OR), each an AND of
//   option values; `isDependencySatisfied` reads a depended-on option's value only while that
//   option is active itself (else null) and compares with form.js `isEqual` (null never
//   equals a string); `value(key, title)` fills `keylist`/`vallist`.
// What is not modelled: layout, CSS, real widgets, the JSON-RPC transport, translations.
import { readFileSync } from 'node:fs';

export class FakeNode {}

export class FakeText extends FakeNode {
  constructor(public text: string) {
    super();
  }
}

export class FakeElement extends FakeNode {
  children: FakeNode[] = [];
  /** Set when a bare non-node value was given as content: LuCI assigns it to innerHTML. */
  innerHTML?: string;
  /** Attributes as setAttribute leaves them: strings. */
  attrs: Record<string, string> = {};
  /** Event listeners (dom.attr registers a function value as one). */
  listeners: Record<string, ((ev?: unknown) => unknown)[]> = {};
  /** Inline style properties set by code (`el.style.width = …`). */
  style: Record<string, string> = {};
  constructor(public tag: string) {
    super();
  }
  /** The first descendant with this tag name (the only selector form the views use). */
  querySelector(tag: string): FakeElement | null {
    return findAll(this, (e) => e !== this && e.tag === tag)[0] ?? null;
  }
  /** Run the element's listeners for `type`, as a user's click would; resolves what they return. */
  async fire(type = 'click'): Promise<void> {
    for (const fn of this.listeners[type] ?? []) await fn({ type, target: this, currentTarget: this });
  }
}

/** luci.js dom.attr */
function setAttrs(el: FakeElement, attrs: unknown): void {
  if (attrs == null || typeof attrs !== 'object') return;
  // A DOM node has no own enumerable properties: as attributes it sets nothing.
  if (attrs instanceof FakeNode) return;
  for (const [k, v] of Object.entries(attrs as Record<string, unknown>)) {
    if (v == null) continue;
    if (typeof v === 'function') (el.listeners[k] ??= []).push(v as (ev?: unknown) => unknown);
    else if (typeof v === 'object') el.attrs[k] = JSON.stringify(v);
    else el.attrs[k] = String(v);
  }
}

/** luci.js dom.append */
export function append(el: FakeElement, children: unknown): void {
  if (Array.isArray(children)) {
    for (const c of children) el.children.push(c instanceof FakeNode ? c : new FakeText(`${c}`));
  } else if (typeof children === 'function') {
    append(el, (children as (n: FakeElement) => unknown)(el));
  } else if (children instanceof FakeNode) {
    el.children.push(children);
  } else if (children != null) {
    el.innerHTML = `${children as string}`;
  }
}

/** luci.js dom.create, as the global E(). */
export function E(html: string | unknown[], attr?: unknown, data?: unknown): FakeElement {
  if (!(attr instanceof Object) || Array.isArray(attr)) {
    data = attr;
    attr = null;
  }
  let el: FakeElement;
  if (Array.isArray(html)) {
    el = new FakeElement('#fragment');
    for (const h of html) el.children.push(h instanceof FakeNode ? h : E(h as string));
  } else {
    el = new FakeElement(html);
  }
  setAttrs(el, attr);
  append(el, data);
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

export interface Notification {
  node: FakeElement;
  text: string;
  classes: string[];
}

export interface Calls {
  rpc: { object: string; method: string; args: Record<string, unknown> }[];
  notifications: Notification[];
  modals: { title: string; node: FakeElement; text: string; open: boolean }[];
  polls: { fn: () => Promise<unknown>; interval: number }[];
  unset: [string, string, string][];
}

// ---- form ----

/** form.js isEqual, for the scalar and RegExp values dependencies use. */
function isEqual(x: unknown, y: unknown): boolean {
  if (y instanceof RegExp) return x == null ? false : y.test(String(x));
  if (x == null || y == null) return x == null && y == null;
  if (typeof x !== typeof y) return false;
  return x === y;
}

class FakeOption {
  depends_: Record<string, unknown>[] = [];
  keylist: string[] = [];
  vallist: unknown[] = [];
  ucioption?: string;
  [k: string]: unknown;
  constructor(public section: FakeSection, public kind: string, public option: string, public title?: string, public description?: string, public tab?: string) {}
  depends(k: string | Record<string, unknown>, v?: unknown): void {
    this.depends_.push(typeof k === 'string' ? { [k]: v } : { ...k });
  }
  value(k: string, v?: unknown): void {
    this.keylist.push(k);
    this.vallist.push(v ?? k);
  }
  /** [key, title] pairs, as value() received them. */
  get values(): [string, unknown][] {
    return this.keylist.map((k, i) => [k, this.vallist[i]]);
  }
  cfgvalue(sid: string): unknown {
    return this.section.map.uciValues[sid]?.[this.ucioption ?? this.option];
  }
  formvalue(sid: string): unknown {
    return this.section.map.formvalues[sid]?.[this.option];
  }
  /** Active when any depends() alternative holds (form.js isDependencySatisfied). */
  isActive(sid: string, seen: Set<FakeOption> = new Set()): boolean {
    if (this.depends_.length === 0) return true;
    if (seen.has(this)) return false;
    seen.add(this);
    return this.depends_.some((d) => Object.entries(d).every(([k, want]) => {
      const dep = this.section.children.find((o) => o.option === k);
      const val = dep && dep.isActive(sid, new Set(seen)) ? dep.formvalue(sid) ?? null : null;
      return isEqual(val, want);
    }));
  }
  get map() {
    return this.section.map;
  }
}

type OptionClass = { kind: string; prototype?: { renderWidget?: (...a: never[]) => FakeElement } };

class FakeSection {
  children: FakeOption[] = [];
  tabs: [string, string][] = [];
  [k: string]: unknown;
  constructor(public map: FakeMap, public kind: string, public args: unknown[]) {}
  tab(name: string, title: string): void {
    this.tabs.push([name, title]);
  }
  option(cls: OptionClass, name: string, title?: string, desc?: string): FakeOption {
    return this.#add(new FakeOption(this, cls.kind, name, title, desc), cls);
  }
  taboption(tab: string, cls: OptionClass, name: string, title?: string, desc?: string): FakeOption {
    if (!this.tabs.some(([n]) => n === tab)) throw new Error(`taboption on undeclared tab ${tab}`);
    return this.#add(new FakeOption(this, cls.kind, name, title, desc, tab), cls);
  }
  /** The option gets its class's renderWidget (an instance may replace it, as in form.js). */
  #add(o: FakeOption, cls: OptionClass): FakeOption {
    if (cls.prototype?.renderWidget) o.renderWidget = cls.prototype.renderWidget;
    this.children.push(o);
    return o;
  }
  formvalue(sid: string, option: string): unknown {
    return this.map.formvalues[sid]?.[option];
  }
}

export class FakeMap {
  sections: FakeSection[] = [];
  /** What the form currently holds per section id (by form option name), for isActive(). */
  formvalues: Record<string, Record<string, unknown>> = {};
  /** What the UCI configuration holds per section id (by UCI option name), for cfgvalue(). */
  uciValues: Record<string, Record<string, unknown>> = {};
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

// form.js ListValue.renderWidget draws a ui.Select, whose render() (ui.js, widget 'select')
// returns a frame div holding the <select>; ButtonValue.renderWidget a div with a button titled
// inputtitle (else the title) whose click calls onclick(ev, section_id) when set; the other
// kinds' widgets are not modelled.
function widget(kind: string) {
  return function (this: { keylist?: string[]; vallist?: unknown[]; inputtitle?: string; title?: string; onclick?: (ev: unknown, sid: string) => unknown }, sid: string): FakeElement {
    if (kind === 'Button') {
      return E('div', {}, [E('button', { class: 'cbi-button', click: (ev: unknown) => (this.onclick ? this.onclick(ev, sid) : undefined) }, [String(this.inputtitle ?? this.title ?? '')])]);
    }
    if (kind !== 'ListValue') return E('div', {}, [E('input')]);
    return E('div', {}, [E('select', {}, (this.keylist ?? []).map((k, i) => E('option', { value: k }, [String(this.vallist?.[i] ?? k)])))]);
  };
}
const kinds = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { kind: n, prototype: { renderWidget: widget(n) } }]));

export interface LoadedView {
  view: Record<string, any>;
  calls: Calls;
  maps: FakeMap[];
}

/** Load a LuCI view file with the given ubus backend and UCI data (for `uci.get`). */
export function loadView(file: string, backend: Backend, uciData: Record<string, Record<string, Record<string, unknown>>> = {}): LoadedView {
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
      addNotification: (title: unknown, children: unknown, ...classes: string[]) => {
        const node = E('div', { class: ['alert-message', 'fade-in', ...classes].join(' ') });
        if (title != null) node.children.push(E('h4', {}, title));
        append(node, children);
        calls.notifications.push({ node, text: textOf(node), classes });
        return node;
      },
      showModal: (title: string, children: unknown) => {
        const node = E('div', { class: 'modal' });
        append(node, children);
        calls.modals.forEach((m) => void (m.open = false));
        calls.modals.push({ title, node, text: textOf(node), open: true });
        return node;
      },
      hideModal: () => void calls.modals.forEach((m) => void (m.open = false)),
      // ui.js createHandlerFn: a method name is looked up on ctx; extra arguments come first, the event last.
      createHandlerFn: (ctx: Record<string, (...a: unknown[]) => unknown>, fn: string | ((...a: unknown[]) => unknown), ...args: unknown[]) => {
        const f = typeof fn === 'string' ? ctx[fn] : fn;
        if (typeof f !== 'function') return null;
        return (ev?: unknown) => f.apply(ctx, [...args, ev]);
      },
    },
    dom: {
      content: (node: FakeElement, children: unknown) => {
        node.children = [];
        node.innerHTML = undefined;
        append(node, children);
      },
      append,
    },
    form,
    uci: {
      load: () => Promise.resolve(),
      get: (config: string, sid: string, option?: string) => {
        const s = uciData[config]?.[sid];
        return option === undefined ? s ?? null : s?.[option] ?? null;
      },
      // uci.js sections(config, type): the sections of that type (all without one), each an object with its options and '.name'.
      sections: (config: string, type?: string) =>
        Object.entries(uciData[config] ?? {}).filter(([, v]) => type === undefined || v['.type'] === type).map(([name, v]) => ({ ...v, '.name': name })),
    },
    widgets: kinds('NetworkSelect', 'DeviceSelect', 'ZoneSelect'),
  };
  const source = readFileSync(file, 'utf8');
  const deps = [...source.matchAll(/^'require ([\w.]+)(?: as (\w+))?';$/gm)].map((m) => m[2] ?? m[1].split('.').pop()!);
  for (const d of deps) if (!(d in modules)) throw new Error(`view requires ${d}, which the stand-in runtime does not model`);
  const L = {
    resolveDefault: (p: Promise<unknown>, def: unknown) => Promise.resolve(p).catch(() => def),
    // luci.js toArray: null → [], arrays as they are, an object → [it], a string split on blanks.
    toArray: (v: unknown) => (v == null ? [] : Array.isArray(v) ? v : typeof v === 'object' ? [v] : String(v).trim() === '' ? [] : String(v).trim().split(/\s+/)),
  };
  const document = { createTextNode: (s: string) => new FakeText(s) };
  const params = ['_', 'N_', 'L', 'E', 'document', 'Node', ...deps];
  const factory = new Function(...params, source);
  const view = factory((s: string) => s, (_n: number, s: string) => s, L, E, document, FakeNode, ...deps.map((d) => modules[d]));
  return { view, calls, maps };
}
