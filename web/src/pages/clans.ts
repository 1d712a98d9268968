// Clans: who controls each map cell (share of the cell's clan participations, with the runner-up)
// and the wars (pairs of clans on opposite sides), over the analytics window; clicking a clan
// opens its members (?clan= in the URL).
import { apiGet } from '../api/client';
import type { ClanControl, ClanMember, ClanWar, Listed } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatPercent, formatUtc } from '../format';
import { lang, t } from '../i18n';
import { href } from '../router';
import { apiQuery, parseState, stateToQuery, str } from '../url-state';
import { daysField, filterForm, untilField } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { table } from '../ui/table';
import { untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

const schema = { ...windowSchema(30), clan: str('', 100) };

export const clansPage: Page = ({ query, signal }) => {
  const s = parseState(query, schema);
  const L = lang();
  const win = { days: s.days, until: untilUnix(s.until) };
  // A clan opens its members on this page, in the same window.
  const clanLink = (name: string) => navLink(href('/clans') + stateToQuery({ ...s, clan: name }, schema), name);
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.clans')),
    filterForm('/clans', schema, [daysField(s.days), untilField(String(s.until))], { clan: s.clan }),
    s.clan ? asyncSection(t('clans.members', { clan: s.clan }), signal, async () => {
      const r = await apiGet<Listed<ClanMember>>('battles', `/analytics/clans/${encodeURIComponent(s.clan)}/members${apiQuery({ ...win, limit: 200 })}`, signal);
      return [
        h('p', { class: 'muted' }, t('clans.members_total', { n: formatInt(r.total, L) }), ' ',
          navLink(href(`/battles${apiQuery({ clan: s.clan })}`), t('clans.clan_battles'))),
        table(r.items, [
          { title: t('col.login'), cell: (m) => navLink(href(`/players/${encodeURIComponent(m.login)}${apiQuery({ days: s.days, until: s.until })}`), m.login), testid: 'member-login' },
          { title: t('col.battles'), cell: (m) => formatInt(m.battles, L), numeric: true, testid: 'member-battles' },
          { title: t('col.wins'), cell: (m) => formatInt(m.wins, L), numeric: true, testid: 'member-wins' },
          { title: t('col.survival'), cell: (m) => formatPercent(m.win_rate, L, 1), numeric: true },
          { title: t('col.last_battle'), cell: (m) => formatUtc(m.last_battle_at) },
        ]),
      ];
    }, 'members') : null,
    asyncSection(t('clans.control'), signal, async () => {
      const r = await apiGet<Listed<ClanControl>>('battles', `/analytics/map/clan-control${apiQuery({ ...win, limit: 50 })}`, signal);
      return [
        r.total !== undefined ? h('p', { class: 'muted' }, t('clans.cells_total', { n: formatInt(r.total, L) })) : null,
        table(r.items, [
          { title: t('col.loc'), cell: (c) => navLink(href(`/battles${apiQuery({ x_min: c.loc.x, x_max: c.loc.x, y_min: c.loc.y, y_max: c.loc.y })}`), `${c.loc.x}, ${c.loc.y}`) },
          { title: t('col.battles'), cell: (c) => formatInt(c.battles, L), numeric: true, testid: 'control-battles' },
          { title: t('clans.dominant'), cell: (c) => clanLink(c.dominant_clan), testid: 'control-clan' },
          { title: t('clans.share'), cell: (c) => formatPercent(c.dominant?.share, L, 1), numeric: true, testid: 'control-share' },
          { title: t('clans.participations'), cell: (c) => formatInt(c.dominant?.participations, L), numeric: true },
          { title: t('clans.runner_up'), cell: (c) => (c.runner_up ? [clanLink(c.runner_up.clan), ` (${formatPercent(c.runner_up.share, L, 1)})`] : '—') },
          { title: t('clans.clans'), cell: (c) => formatInt(c.clans, L), numeric: true },
        ]),
      ];
    }, 'control'),
    asyncSection(t('clans.wars'), signal, async () => {
      const r = await apiGet<Listed<ClanWar>>('battles', `/analytics/clans/wars${apiQuery({ ...win, limit: 100 })}`, signal);
      return table(r.items, [
        { title: t('clans.clan1'), cell: (w) => clanLink(w.clan1) },
        { title: '', cell: () => '⚔' },
        { title: t('clans.clan2'), cell: (w) => clanLink(w.clan2) },
        { title: t('col.battles'), cell: (w) => formatInt(w.battles, L), numeric: true, testid: 'war-battles' },
        { title: t('clans.last_battle'), cell: (w) => formatUtc(w.last_battle_at) },
      ]);
    }, 'wars'),
  );
};
