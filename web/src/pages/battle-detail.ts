// One battle: header, roster (damage, kills, healing, loot), monsters, loot, the hex battlefield
// (terrain from the stored map rows, units from the raw log), the event timeline, the raw log link.
import { apiGet, apiUrl } from '../api/client';
import type { BattleDetail, BattleEvent, BattleEvents, Loot, Participant } from '../api/types';
import { h, navLink } from '../dom';
import { formatBytes, formatInt, formatNumber, formatUtc } from '../format';
import { lang, t, type MessageKey } from '../i18n';
import { href } from '../router';
import { parseState, str, int } from '../url-state';
import { filterForm } from '../ui/filters';
import { entitiesOf, hexMap, rawElements } from '../ui/hexmap';
import { asyncSection, card } from '../ui/section';
import { stats, table } from '../ui/table';
import type { Page } from './page';

const schema = { turn: int(null, 0, 100000), actor: str('', 100) };
const MAX_EVENTS = 500;
const ACTIONS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 20]);

function lootText(l: Loot): string {
  const all = [...l.resources, ...l.monster_parts, ...l.other];
  return all.map((x) => `${x.name ?? x.item_name ?? '?'} × ${x.qty}`).join(', ') || '—';
}

function actionName(e: BattleEvent): string {
  return ACTIONS.has(e.t) ? t(`action.${e.t}` as MessageKey) : `t=${e.t}`;
}

function rosterTable(ps: Participant[]): HTMLElement {
  const L = lang();
  return table(ps, [
    { title: t('col.login'), cell: (p) => (p.login.startsWith('$') ? p.login : navLink(href(`/players/${encodeURIComponent(p.login)}`), p.login)), testid: 'roster-login' },
    { title: t('col.clan'), cell: (p) => p.clan ?? '—' },
    { title: t('col.side'), cell: (p) => String(p.side), numeric: true },
    { title: t('col.level'), cell: (p) => formatInt(p.level, L), numeric: true },
    { title: t('col.outcome'), cell: (p) => (p.survived ? t('battle.survived') : p.escaped ? t('battle.escaped') : t('battle.died')) },
    { title: t('col.kills_m'), cell: (p) => formatInt(p.kills.monsters, L), numeric: true },
    { title: t('col.kills_p'), cell: (p) => formatInt(p.kills.players, L), numeric: true },
    { title: t('col.dmg_m'), cell: (p) => formatInt(p.damage.monsters.hp, L), numeric: true },
    { title: t('col.dmg_p'), cell: (p) => formatInt(p.damage.players.hp, L), numeric: true, testid: 'roster-dmg-p' },
    { title: t('col.crit'), cell: (p) => formatInt(p.damage.monsters.critical + p.damage.players.critical, L), numeric: true },
    { title: t('col.healing'), cell: (p) => formatInt(p.healing, L), numeric: true, testid: 'roster-healing' },
    { title: t('col.pve_points'), cell: (p) => formatInt(p.pve_points, L), numeric: true },
    { title: t('col.rank_points'), cell: (p) => formatNumber(p.rank_points, L, 1), numeric: true },
    { title: t('col.loot'), cell: (p) => lootText(p.loot) },
  ]);
}

function timeline(all: BattleEvent[], turn: number | null, actor: string): HTMLElement {
  const L = lang();
  const chosen = all.filter((e) => (turn === null || e.turn === turn) && (!actor || e.actor === actor));
  const shown = chosen.slice(0, MAX_EVENTS);
  return h(
    'div',
    null,
    h('p', { class: 'muted' }, t('battle.events_count', { shown: shown.length, total: chosen.length, all: all.length })),
    table(shown, [
      { title: t('col.turn'), cell: (e) => String(e.turn), numeric: true },
      { title: '#', cell: (e) => String(e.sf), numeric: true },
      { title: t('col.actor'), cell: (e) => e.actor },
      { title: t('col.action'), cell: (e) => actionName(e) },
      { title: t('col.target'), cell: (e) => e.target ?? (e.item_name ? `${e.item_name} × ${e.count ?? 1}` : '') },
      { title: t('col.damage'), cell: (e) => [e.normal ? formatInt(e.normal, L) : '', e.critical ? `${t('battle.crit')} ${formatInt(e.critical, L)}` : '', e.piercing ? `${t('battle.pierce')} ${formatInt(e.piercing, L)}` : '', e.status_code ? `${e.status_code}${e.status_amount ?? ''}` : ''].filter(Boolean).join(' ') },
      { title: t('col.healing'), cell: (e) => (e.heal ? formatInt(e.heal, L) : '') },
      { title: 'xy', cell: (e) => e.xy ?? '' },
    ]),
  );
}

export const battleDetailPage: Page = ({ params, query, signal, path }) => {
  const id = params.id;
  const s = parseState(query, schema);
  const L = lang();
  const root = h('div', { class: 'page' }, h('h1', null, t('battle.title', { id })));
  const rawUrl = apiUrl('battles', `/battle/${encodeURIComponent(id)}/raw`);
  const detail = apiGet<BattleDetail>('battles', `/battle/${encodeURIComponent(id)}`, signal);
  detail.catch(() => undefined);
  root.append(
    asyncSection(null, signal, async () => {
      const d = await detail;
      const b = d.battle;
      return [
        stats([
          { label: t('col.battle'), value: String(b.battle_id), testid: 'battle-id' },
          { label: t('col.ts'), value: formatUtc(b.ts) },
          { label: t('col.type'), value: b.battle_type ?? '—' },
          { label: t('col.loc'), value: `${b.loc.x}, ${b.loc.y}` },
          { label: t('col.turns'), value: formatInt(b.turns, L), testid: 'battle-turns' },
          { label: t('col.players'), value: formatInt(b.players_cnt, L), testid: 'battle-players' },
          { label: t('col.monsters'), value: formatInt(b.monsters_cnt, L), testid: 'battle-monsters' },
          { label: t('battle.size'), value: formatBytes(b.size_bytes, L) },
          { label: t('battle.parser'), value: String(b.parser_version) },
          { label: t('battle.complete'), value: b.complete ? t('common.yes') : t('common.no') },
          { label: 'SHA-256', value: h('code', null, b.content_sha256) },
        ]),
        h('p', null, h('a', { href: rawUrl, target: '_blank', rel: 'noopener', 'data-testid': 'raw-link' }, t('battle.raw'))),
        d.data.error ? h('p', { class: 'warn' }, `${d.data.error.code}: ${d.data.error.message}`) : null,
      ];
    }, 'header'),
    asyncSection(t('battle.roster'), signal, async () => rosterTable((await detail).data.participants), 'roster'),
    asyncSection(t('battle.monsters'), signal, async () =>
      table((await detail).data.monsters, [
        { title: t('col.kind'), cell: (m) => m.kind },
        { title: t('col.spec'), cell: (m) => m.spec ?? '—' },
        { title: t('col.side'), cell: (m) => String(m.side), numeric: true },
        { title: t('col.count'), cell: (m) => formatInt(m.count, L), numeric: true },
        { title: t('col.levels'), cell: (m) => `${m.min_level}–${m.max_level}` },
      ]), 'monsters'),
    asyncSection(t('battle.loot'), signal, async () => {
      const l = (await detail).data.loot_total;
      const rows = [
        ...l.resources.map((x) => ({ group: t('loot.resources'), name: x.name ?? '', qty: x.qty })),
        ...l.monster_parts.map((x) => ({ group: t('loot.parts'), name: x.name ?? '', qty: x.qty })),
        ...l.other.map((x) => ({ group: t('loot.other'), name: x.item_name ?? x.name ?? '', qty: x.qty })),
      ];
      return table(rows, [
        { title: t('col.group'), cell: (r) => r.group },
        { title: t('col.name'), cell: (r) => r.name },
        { title: t('col.qty'), cell: (r) => formatInt(r.qty, L), numeric: true },
      ]);
    }, 'loot'),
    asyncSection(t('battle.map'), signal, async () => {
      const d = await detail;
      const res = await fetch(rawUrl, { credentials: 'same-origin', signal });
      const elements = res.ok ? rawElements(await res.text()) : [];
      const rows = d.data.battle.map?.rows ?? [];
      return [
        rows.length === 0 ? h('p', { class: 'muted' }, t('battle.no_terrain', { id: d.data.battle.map?.id || '—' })) : null,
        res.ok ? null : h('p', { class: 'warn' }, t('battle.raw_failed', { status: res.status })),
        hexMap(rows, entitiesOf(elements)),
      ];
    }, 'map'),
  );
  const events = apiGet<BattleEvents>('battles', `/battle/${encodeURIComponent(id)}/events`, signal);
  events.catch(() => undefined);
  root.append(
    card(
      t('battle.timeline'),
      h('div', null, filterForm(path, schema, [
        { kind: 'number', name: 'turn', label: t('col.turn'), value: s.turn === null ? '' : String(s.turn), min: '0' },
        { kind: 'text', name: 'actor', label: t('col.actor'), value: String(s.actor) },
      ])),
      asyncSection(null, signal, async () => timeline((await events).events, s.turn as number | null, String(s.actor)), 'timeline'),
    ),
  );
  return root;
};
