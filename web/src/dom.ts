// DOM building without HTML strings: text always goes in as text nodes, attributes through
// setAttribute, and inline handlers or style attributes are refused (the CSP forbids them anyway).
export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined>;

function append(parent: Node, c: Child): void {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) {
    for (const x of c) append(parent, x);
    return;
  }
  parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, v] of Object.entries(attrs)) {
      const lower = name.toLowerCase();
      if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') throw new Error(`attribute ${name} is not allowed`);
      if (v === null || v === undefined || v === false) continue;
      el.setAttribute(name, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, children);
}

// An in-app link: the router intercepts it (data-nav) instead of reloading the page.
export function navLink(href: string, text: Child, cls?: string): HTMLAnchorElement {
  return h('a', { href, 'data-nav': true, class: cls }, text);
}

export function option(value: string, text: string, selected: boolean): HTMLOptionElement {
  const o = h('option', { value }, text);
  o.selected = selected;
  return o;
}
