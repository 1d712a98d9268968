// A tiny client-side router under /ui/: path patterns with :params, in-app links (a[data-nav]),
// history navigation; each render gets an AbortSignal that fires when the page changes.
export const BASE = '/ui';

export interface Match { route: string; params: Record<string, string> }

// Pure: which pattern ("/battles/:id") matches a path inside the app ("/battles/42").
export function matchRoute(patterns: readonly string[], path: string): Match | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const p of patterns) {
    const want = p.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      if (want[i].startsWith(':')) {
        try {
          params[want[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      } else if (want[i] !== parts[i]) ok = false;
      if (!ok) break;
    }
    if (ok) return { route: p, params };
  }
  return undefined;
}

// Pure: the path inside the app for a browser path ("/ui/battles" → "/battles", "/ui/" → "/").
export function appPath(pathname: string): string {
  if (pathname === BASE || pathname === `${BASE}/`) return '/';
  return pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length) : pathname;
}

export function href(path: string): string {
  return `${BASE}${path === '/' ? '/' : path}`;
}

export type Renderer = (path: string, query: string, signal: AbortSignal) => void;

let controller: AbortController | undefined;
let renderer: Renderer | undefined;

function render(): void {
  controller?.abort();
  controller = new AbortController();
  renderer?.(appPath(location.pathname), location.search, controller.signal);
}

export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
  window.scrollTo(0, 0);
}

export function startRouter(r: Renderer): void {
  renderer = r;
  window.addEventListener('popstate', render);
  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest?.('a[data-nav]') as HTMLAnchorElement | null;
    if (!a || a.target) return;
    ev.preventDefault();
    navigate(a.getAttribute('href') ?? href('/'));
  });
  render();
}

export function rerender(): void {
  render();
}
