// Shops: snapshots and their diffs, listed items with a price-history chart, sellers. The shop,
// the tab and every filter are in the URL.
import { apiGet, apiPost, enc } from '../api/client';
import type { Change, Paged, PricePoint, SellerStat, Shop, ShopItem, Snapshot, SnapshotDiff } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatMoney, formatNumber, formatUtc } from '../format';
import { lang, t, type MessageKey } from '../i18n';
import { hasRole } from '../session';
import { href, rerender } from '../router';
import { apiQuery, parseState, stateToQuery, str, int, oneOf, type StateOf } from '../url-state';
import { chart } from '../ui/chart';
import { filterForm } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { errorState } from '../ui/states';
import { stats, table } from '../ui/table';
import type { Page } from './page';

const schema = {
  shop: str('', 64),
  tab: oneOf(['snapshots', 'items', 'sellers'], 'snapshots'),
  snapshot: int(null, 1),
  item: int(null, 1),
  search: str('', 100),
  category: str('', 20),
  owner: str('', 100),
  page: int(1, 1, 100000),
};
type State = StateOf<typeof schema>;

const link = (s: State, patch: Partial<State>, text: string, cls?: string) => navLink(href('/shop') + stateToQuery({ ...s, ...patch }, schema), text, cls);

function triggerButton(code: string): HTMLElement {
  const status = h('span', { class: 'form-status', 'aria-live': 'polite' });
  const b = h('button', { type: 'button', class: 'btn' }, t('shop.trigger'));
  b.addEventListener('click', () => {
    b.disabled = true;
    apiPost<{ job_id: string; state: string }>('shop', `/admin/snapshot/trigger?shop_code=${enc(code)}`, {})
      .then(async (j) => {
        for (let i = 0; i < 120; i++) {
          const s = await apiGet<{ state?: string }>('shop', `/admin/jobs/${enc(j.job_id)}`);
          status.textContent = t('antibot.job', { id: j.job_id, status: s.state ?? '?' });
          if (s.state && !['queued', 'running'].includes(s.state)) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        setTimeout(rerender, 500);
      })
      .catch((e: unknown) => status.replaceChildren(errorState(e)))
      .finally(() => (b.disabled = false));
  });
  return h('div', { class: 'inline' }, b, status);
}

function changesTable(s: State, changes: Change[]): HTMLElement {
  const L = lang();
  return table(changes, [
    { title: t('col.change'), cell: (c) => h('span', { class: `badge change-${c.type}` }, t(`change.${c.type}` as MessageKey)) },
    { title: t('col.item'), cell: (c) => link(s, { tab: 'items', item: c.item_id }, c.txt) },
    { title: t('col.category'), cell: (c) => c.category },
    { title: t('shop.old_price'), cell: (c) => formatMoney(c.old_price, L), numeric: true },
    { title: t('shop.new_price'), cell: (c) => formatMoney(c.new_price, L), numeric: true },
    { title: t('shop.diff_pct'), cell: (c) => (typeof c.price_diff_percent === 'number' ? `${formatNumber(c.price_diff_percent, L, 1)} %` : '—'), numeric: true },
    { title: t('col.owner'), cell: (c) => c.new_owner ?? c.old_owner ?? '—' },
  ]);
}

function snapshotsTab(s: State, code: string, signal: AbortSignal): Node[] {
  const L = lang();
  const out: Node[] = [
    asyncSection(t('shop.snapshots'), signal, async () => {
      const r = await apiGet<Paged<Snapshot>>('shop', `/snapshots/list${apiQuery({ shop_code: code, limit: 20, page: s.page })}`, signal);
      return [
        table(r.items, [
          { title: '#', cell: (x) => link(s, { snapshot: x.id }, String(x.id)), testid: 'snap-id' },
          { title: t('col.status'), cell: (x) => x.status },
          { title: t('shop.started_by'), cell: (x) => x.started_by },
          { title: t('col.finished_at'), cell: (x) => formatUtc(x.finished_at) },
          { title: t('col.items'), cell: (x) => formatInt(x.items_count, L), numeric: true, testid: 'snap-items' },
          { title: t('shop.changes'), cell: (x) => formatInt(x.changes_count, L), numeric: true },
          { title: t('col.error'), cell: (x) => x.error || '' },
        ]),
        h('nav', { class: 'pager' },
          Number(s.page) > 1 ? link(s, { page: Number(s.page) - 1 }, t('pager.prev')) : null,
          r.offset + r.items.length < r.total ? link(s, { page: Number(s.page) + 1 }, t('pager.next')) : null),
      ];
    }, 'snapshots'),
  ];
  const diffPath = s.snapshot ? `/snapshots/${s.snapshot}/diff` : `/snapshots/latest/diff?shop_code=${enc(code)}`;
  out.push(
    asyncSection(s.snapshot ? t('shop.diff_of', { id: Number(s.snapshot) }) : t('shop.diff_latest'), signal, async () => {
      const d = await apiGet<SnapshotDiff>('shop', diffPath, signal);
      return [
        h('p', { class: 'muted' }, t('shop.diff_range', { from: d.from, to: d.to })),
        stats(Object.entries(d.summary).map(([k, v]) => ({ label: t(`change.${k}` as MessageKey), value: formatInt(v, L), testid: `diff-${k}` }))),
        changesTable(s, d.changes),
      ];
    }, 'diff'),
  );
  return out;
}

function itemsTab(s: State, code: string, signal: AbortSignal): Node[] {
  const L = lang();
  const out: Node[] = [
    filterForm('/shop', schema, [
      { kind: 'text', name: 'search', label: t('filter.search'), value: String(s.search) },
      { kind: 'text', name: 'category', label: t('col.category'), value: String(s.category) },
      { kind: 'text', name: 'owner', label: t('col.owner'), value: String(s.owner) },
    ], { shop: s.shop, tab: 'items' }),
  ];
  if (s.item) {
    out.push(asyncSection(t('shop.history', { id: Number(s.item) }), signal, async () => {
      const r = await apiGet<{ history: PricePoint[] }>('shop', `/items/${s.item}/history?shop_code=${enc(code)}`, signal);
      const pts = r.history.filter((p) => typeof p.price === 'number');
      return [
        pts.length ? chart({ type: 'line', data: { labels: pts.map((p) => formatUtc(p.at)), datasets: [{ label: t('col.price'), data: pts.map((p) => p.price as number), borderColor: '#5ec962', backgroundColor: '#5ec962', stepped: true }] } }, t('shop.history', { id: Number(s.item) }), 'price-chart') : null,
        table(r.history, [
          { title: t('col.snapshot'), cell: (p) => link(s, { tab: 'snapshots', snapshot: p.snapshot_id }, `#${p.snapshot_id}`) },
          { title: t('col.at'), cell: (p) => formatUtc(p.at) },
          { title: t('col.price'), cell: (p) => formatMoney(p.price, L), numeric: true, testid: 'history-price' },
          { title: t('col.count'), cell: (p) => formatInt(p.count, L), numeric: true },
          { title: t('col.quality'), cell: (p) => formatInt(p.quality, L), numeric: true },
          { title: t('col.owner'), cell: (p) => p.owner ?? '—' },
        ]),
      ];
    }, 'history'));
  }
  out.push(asyncSection(t('shop.items'), signal, async () => {
    const r = await apiGet<Paged<ShopItem>>('shop', `/items/list${apiQuery({ shop_code: code, search: s.search, category: s.category, owner: s.owner, limit: 50, page: s.page, sort: 'price' })}`, signal);
    return [
      h('p', { class: 'muted' }, t('shop.items_total', { n: formatInt(r.total, L) })),
      table(r.items, [
        { title: t('col.item'), cell: (x) => link(s, { item: x.id }, x.txt), testid: 'item-name' },
        { title: t('col.category'), cell: (x) => x.category },
        { title: t('col.price'), cell: (x) => formatMoney(x.price, L), numeric: true, testid: 'item-price' },
        { title: t('col.count'), cell: (x) => formatInt(x.count, L), numeric: true },
        { title: t('col.quality'), cell: (x) => (x.quality === null ? '—' : `${x.quality}/${x.max_quality ?? '?'}`) },
        { title: t('col.owner'), cell: (x) => (x.owner ? link(s, { owner: x.owner, page: 1 }, x.owner) : '—') },
        { title: t('shop.first_seen'), cell: (x) => formatUtc(x.first_seen) },
      ]),
      h('nav', { class: 'pager' },
        Number(s.page) > 1 ? link(s, { page: Number(s.page) - 1 }, t('pager.prev')) : null,
        r.offset + r.items.length < r.total ? link(s, { page: Number(s.page) + 1 }, t('pager.next')) : null),
    ];
  }, 'items'));
  return out;
}

function sellersTab(s: State, code: string, signal: AbortSignal): Node[] {
  const L = lang();
  return [asyncSection(t('shop.sellers'), signal, async () => {
    const r = await apiGet<Paged<SellerStat>>('shop', `/sellers/stats${apiQuery({ shop_code: code, limit: 100 })}`, signal);
    return table(r.items, [
      { title: t('col.owner'), cell: (x) => link(s, { tab: 'items', owner: x.owner, page: 1, item: null }, x.owner), testid: 'seller-owner' },
      { title: t('col.items'), cell: (x) => formatInt(x.items_count, L), numeric: true, testid: 'seller-items' },
      { title: t('shop.total_value'), cell: (x) => formatMoney(x.total_value, L), numeric: true },
      { title: t('shop.min_price'), cell: (x) => formatMoney(x.min_price, L), numeric: true },
      { title: t('shop.avg_price'), cell: (x) => formatMoney(x.avg_price, L), numeric: true },
      { title: t('shop.max_price'), cell: (x) => formatMoney(x.max_price, L), numeric: true },
    ]);
  }, 'sellers')];
}

export const shopPage: Page = ({ query, signal, session }) => {
  const s = parseState(query, schema);
  const root = h('div', { class: 'page' }, h('h1', null, t('nav.shop')));
  root.append(asyncSection(null, signal, async () => {
    const shops = await apiGet<Paged<Shop>>('shop', '/shops', signal);
    if (shops.items.length === 0) return errorState(new Error(t('shop.none')));
    const current = shops.items.find((x) => x.code === s.shop) ?? shops.items[0];
    const st = { ...s, shop: current.code };
    const tabs = h('nav', { class: 'tabs' },
      shops.items.map((x) => link(st, { shop: x.code, snapshot: null, item: null, page: 1 }, x.name, x.code === current.code ? 'tab active' : 'tab')),
      h('span', { class: 'sep' }),
      (['snapshots', 'items', 'sellers'] as const).map((tab) => link(st, { tab, page: 1 }, t(`shop.tab_${tab}`), tab === st.tab ? 'tab active' : 'tab')));
    const body = st.tab === 'items' ? itemsTab(st, current.code, signal) : st.tab === 'sellers' ? sellersTab(st, current.code, signal) : snapshotsTab(st, current.code, signal);
    return [
      tabs,
      stats([
        { label: t('col.shop'), value: current.name },
        { label: t('shop.bot'), value: current.bot_login },
        { label: t('col.items_listed'), value: formatInt(current.items_listed, lang()), testid: 'shop-items-listed' },
        { label: t('col.snapshot'), value: current.latest_snapshot_id === null ? '—' : `#${current.latest_snapshot_id}` },
      ]),
      hasRole(session, 'admin') ? triggerButton(current.code) : null,
      ...body,
    ];
  }, 'shop'));
  return root;
};

