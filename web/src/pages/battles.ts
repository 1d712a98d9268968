// Battle search: every filter of GET /battles (player, clan, type, monster, kind, from, to, limit)
// in the URL, keyset pagination through the "next" cursor (?after=).
import { apiGet } from '../api/client';
import type { BattlePage } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatUtc } from '../format';
import { lang, t } from '../i18n';
import { href } from '../router';
import { apiQuery, parseState, stateToQuery, str, int, oneOf } from '../url-state';
import { filterForm } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { table } from '../ui/table';
import type { Page } from './page';

export const battlesSchema = {
  player: str('', 100),
  clan: str('', 100),
  type: str('', 100),
  monster: str('', 100),
  kind: oneOf(['', 'pvp', 'pve'], ''),
  from: str('', 25),
  to: str('', 25),
  limit: int(20, 1, 500),
  after: str('', 64),
};

export const battlesPage: Page = ({ query, signal }) => {
  const s = parseState(query, battlesSchema);
  const L = lang();
  const { after: _after, ...filters } = s;
  const form = filterForm('/battles', battlesSchema, [
    { kind: 'text', name: 'player', label: t('filter.player'), value: String(s.player) },
    { kind: 'text', name: 'clan', label: t('filter.clan'), value: String(s.clan) },
    { kind: 'text', name: 'type', label: t('filter.battle_type'), value: String(s.type), placeholder: 'A' },
    { kind: 'text', name: 'monster', label: t('filter.monster'), value: String(s.monster), placeholder: 'rat' },
    { kind: 'select', name: 'kind', label: t('filter.kind'), value: String(s.kind), options: [
      { value: '', label: t('filter.any') }, { value: 'pvp', label: 'PvP' }, { value: 'pve', label: 'PvE' }] },
    { kind: 'date', name: 'from', label: t('filter.from'), value: String(s.from) },
    { kind: 'date', name: 'to', label: t('filter.to'), value: String(s.to) },
    { kind: 'select', name: 'limit', label: t('filter.limit'), value: String(s.limit), options: [10, 20, 50, 100, 200].map((n) => ({ value: String(n), label: String(n) })) },
  ]);
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.battles')),
    form,
    asyncSection(null, signal, async () => {
      const page = await apiGet<BattlePage>('battles', `/battles${apiQuery(s)}`, signal);
      return [
        table(page.battles, [
          { title: t('col.battle'), cell: (b) => navLink(href(`/battles/${b.battle_id}`), String(b.battle_id)), testid: 'battle-id' },
          { title: t('col.ts'), cell: (b) => formatUtc(b.ts) },
          { title: t('col.type'), cell: (b) => b.battle_type ?? '—' },
          { title: t('col.loc'), cell: (b) => `${b.loc.x}, ${b.loc.y}` },
          { title: t('col.players'), cell: (b) => formatInt(b.players_cnt, L), numeric: true },
          { title: t('col.monsters'), cell: (b) => formatInt(b.monsters_cnt, L), numeric: true },
          { title: t('col.turns'), cell: (b) => formatInt(b.turns, L), numeric: true },
          { title: t('col.kind'), cell: (b) => [b.has_pvp ? 'PvP' : '', b.has_monsters ? 'PvE' : ''].filter(Boolean).join(' + ') || '—' },
        ]),
        h(
          'nav',
          { class: 'pager' },
          s.after ? navLink(href('/battles') + stateToQuery(filters, battlesSchema), t('pager.first')) : null,
          page.next ? navLink(href('/battles') + stateToQuery({ ...filters, after: page.next }, battlesSchema), t('pager.next'), 'next') : null,
        ),
      ];
    }, 'battles'),
  );
};
