// A card that loads its own content: one failing section never blanks the page.
import { h, replace, type Child } from '../dom';
import { errorState, isAbort, stateBox } from './states';

export function card(title: string | null, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, ...body);
}

export function asyncSection(title: string | null, signal: AbortSignal, load: () => Promise<Child>, id?: string): HTMLElement {
  const body = h('div', { class: 'card-body', 'data-section': id ?? null }, stateBox('loading'));
  load().then(
    (content) => {
      if (!signal.aborted) replace(body, content);
    },
    (e: unknown) => {
      if (signal.aborted || isAbort(e)) return;
      replace(body, errorState(e));
    },
  );
  return card(title, body);
}
