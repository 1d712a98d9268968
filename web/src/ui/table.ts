// Tables from rows and column definitions; an empty list is the "no data" state, not an empty grid.
import { h, type Child } from '../dom';
import { stateBox } from './states';

export interface Column<T> {
  title: string;
  cell: (row: T, index: number) => Child;
  numeric?: boolean;
  testid?: string;
}

export function table<T>(rows: readonly T[], columns: Column<T>[], emptyDetail?: string): HTMLElement {
  if (rows.length === 0) return stateBox('empty', emptyDetail);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.numeric ? 'num' : null }, c.title)))),
      h(
        'tbody',
        null,
        rows.map((r, i) =>
          h('tr', null, columns.map((c) => h('td', { class: c.numeric ? 'num' : null, 'data-testid': c.testid ?? null }, c.cell(r, i)))),
        ),
      ),
    ),
  );
}

// Label/value pairs (stat cards).
export function stats(items: { label: string; value: Child; testid?: string }[]): HTMLElement {
  return h(
    'dl',
    { class: 'stats' },
    items.map((x) => h('div', { class: 'stat' }, h('dt', null, x.label), h('dd', { 'data-testid': x.testid ?? null }, x.value))),
  );
}
