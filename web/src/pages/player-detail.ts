// One player: totals and the 24 × 7 activity heatmap in a chosen time zone, play sessions (local
// times in the same zone) and most played cells, the anti-bot verdict with its reasons and
// contributions, the playstyle, and the latest battles.
import { apiGet } from '../api/client';
import type { BattlePage, PlayerAnalytics, PlayerLocations, PlayerSessions, PlayerVerdict, Playstyle } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatNumber, formatPercent, formatUtc } from '../format';
import { lang, t } from '../i18n';
import { hasRole } from '../session';
import { href } from '../router';
import { apiQuery, parseState, stateToQuery, str } from '../url-state';
import { daysField, filterForm, tzField, untilField } from '../ui/filters';
import { heatmap } from '../ui/heatmap';
import { asyncSection } from '../ui/section';
import { stats, table } from '../ui/table';
import { verdictForm } from '../ui/verdict-form';
import { tzSchema, untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

const schema = { ...windowSchema(7), ...tzSchema, after: str('', 64) };

// "2025-10-06T03:00:00+03:00" → "2025-10-06 03:00 (+03:00)": the zone's own wall clock.
function localTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(.*)$/.exec(iso);
  return m ? `${m[1]} ${m[2]} (${m[3]})` : iso;
}

function formatDuration(seconds: number | null | undefined, L: ReturnType<typeof lang>): string {
  if (typeof seconds !== 'number') return '—';
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? t('player.minutes', { n: minutes }) : t('player.hours', { h: Math.floor(minutes / 60), m: formatInt(minutes % 60, L) });
}

export function verdictView(v: PlayerVerdict): Node[] {
  const L = lang();
  return [
    stats([
      { label: t('antibot.is_bot'), value: v.is_bot ? t('antibot.bot') : t('antibot.not_bot'), testid: 'verdict-is-bot' },
      { label: t('antibot.score'), value: formatPercent(v.score, L, 1), testid: 'verdict-score' },
      { label: t('antibot.rule_score'), value: formatPercent(v.rule_score, L, 1) },
      { label: t('antibot.threshold'), value: formatPercent(v.threshold, L, 0) },
      { label: t('antibot.method'), value: v.method },
      { label: t('col.battles'), value: formatInt(v.battles, L) },
      { label: t('overview.model'), value: v.model_version },
    ]),
    h('h3', null, t('antibot.reasons')),
    table(v.reasons_structured, [
      { title: t('col.code'), cell: (r) => r.code },
      { title: t('col.severity'), cell: (r) => h('span', { class: `badge sev-${r.severity}` }, r.severity) },
      { title: t('col.feature'), cell: (r) => r.feature || '—' },
      { title: t('col.value'), cell: (r) => formatNumber(r.value, L, 3), numeric: true },
      { title: t('col.threshold'), cell: (r) => formatNumber(r.threshold, L, 3), numeric: true },
      { title: t('col.contribution'), cell: (r) => formatPercent(r.contribution, L, 1), numeric: true, testid: 'reason-contribution' },
    ], t('antibot.no_reasons')),
    v.ml_detection
      ? h('div', null,
          h('h3', null, t('antibot.ml')),
          stats([
            { label: t('antibot.if_anomaly'), value: v.ml_detection.if_anomaly ? t('common.yes') : t('common.no') },
            { label: t('antibot.if_probability'), value: formatPercent(v.ml_detection.if_probability, L, 1) },
            { label: t('antibot.kmeans_probability'), value: formatPercent(v.ml_detection.kmeans_probability, L, 1) },
            { label: t('antibot.cluster'), value: String(v.ml_detection.cluster) },
          ]),
          table(v.ml_detection.attributions, [
            { title: t('col.feature'), cell: (a) => a.feature },
            { title: t('col.share'), cell: (a) => formatPercent(a.share, L, 1), numeric: true },
          ]))
      : null,
  ].filter((x): x is HTMLElement => x !== null);
}

export const playerDetailPage: Page = ({ params, query, signal, session, path }) => {
  const login = params.login;
  const s = parseState(query, schema);
  const L = lang();
  const win = { days: s.days, until: untilUnix(s.until) };
  const enc = encodeURIComponent(login);
  return h(
    'div',
    { class: 'page' },
    h('h1', null, login),
    filterForm(path, schema, [daysField(s.days), untilField(String(s.until)), tzField(String(s.tz))]),
    asyncSection(t('player.stats'), signal, async () => {
      const p = await apiGet<PlayerAnalytics>('battles', `/api/analytics/player/${enc}${apiQuery({ ...win, tz: s.tz })}`, signal);
      return [
        stats([
          { label: t('col.battles'), value: formatInt(p.battles_count, L), testid: 'player-battles' },
          { label: t('col.wins'), value: formatInt(p.wins, L), testid: 'player-wins' },
          { label: t('col.losses'), value: formatInt(p.losses, L) },
          { label: t('col.kills_m'), value: formatInt(p.kills_monsters, L), testid: 'player-kills-m' },
          { label: t('col.kills_p'), value: formatInt(p.kills_players, L) },
          { label: t('col.pvp_battles'), value: formatInt(p.pvp_battles, L) },
        ]),
        h('h3', null, t('player.heatmap', { tz: p.tz })),
        heatmap(p.heatmap, p.tz),
      ];
    }, 'stats'),
    h('div', { class: 'grid' },
      asyncSection(t('player.sessions'), signal, async () => {
        const r = await apiGet<PlayerSessions>('battles', `/api/analytics/player/${enc}/sessions${apiQuery({ ...win, tz: s.tz, limit: 20 })}`, signal);
        return [
          stats([
            { label: t('player.sessions_total'), value: formatInt(r.total, L), testid: 'sessions-total' },
            { label: t('player.session_avg'), value: formatDuration(r.avg_duration_s, L) },
            { label: t('player.session_longest'), value: formatDuration(r.longest_s, L) },
          ]),
          h('p', { class: 'muted' }, t('player.sessions_note', { tz: r.tz, min: Math.round(r.session_break_s / 60) })),
          table(r.items, [
            { title: t('player.session_start'), cell: (x) => localTime(x.start_local) },
            { title: t('player.session_end'), cell: (x) => localTime(x.end_local) },
            { title: t('col.battles'), cell: (x) => formatInt(x.battles, L), numeric: true, testid: 'session-battles' },
            { title: t('player.session_length'), cell: (x) => formatDuration(x.duration_s, L), numeric: true },
          ]),
        ];
      }, 'sessions'),
      asyncSection(t('player.locations'), signal, async () => {
        const r = await apiGet<PlayerLocations>('battles', `/api/analytics/player/${enc}/locations${apiQuery({ ...win, limit: 10 })}`, signal);
        return [
          h('p', { class: 'muted' }, t('player.locations_total', { n: formatInt(r.total, L) })),
          table(r.items, [
            { title: t('col.loc'), cell: (c) => navLink(href(`/battles${apiQuery({ player: login, x_min: c.loc.x, x_max: c.loc.x, y_min: c.loc.y, y_max: c.loc.y })}`), `${c.loc.x}, ${c.loc.y}`), testid: 'location-cell' },
            { title: t('col.battles'), cell: (c) => formatInt(c.battles, L), numeric: true, testid: 'location-battles' },
            { title: t('col.share'), cell: (c) => formatPercent(c.share, L, 1), numeric: true },
            { title: t('player.last_seen'), cell: (c) => formatUtc(c.last_seen) },
          ]),
        ];
      }, 'locations')),
    asyncSection(t('player.antibot'), signal, async () => {
      const v = await apiGet<PlayerVerdict>('battles', `/analytics/antibot/player/${enc}${apiQuery(win)}`, signal);
      return [
        ...verdictView(v),
        hasRole(session, 'moderator') ? h('div', null, h('h3', null, t('antibot.review')), verdictForm(login, () => undefined)) : null,
      ];
    }, 'antibot'),
    asyncSection(t('player.playstyle'), signal, async () => {
      const p = await apiGet<Playstyle>('battles', `/analytics/playstyle/${enc}${apiQuery({ days: s.days })}`, signal);
      return [
        stats([
          { label: t('playstyle.name'), value: p.display_name || p.playstyle },
          { label: t('playstyle.confidence'), value: formatPercent(p.confidence, L, 1) },
          { label: t('playstyle.cluster'), value: `${p.cluster_id} (${formatInt(p.cluster_size, L)})` },
        ]),
        p.description ? h('p', null, p.description) : null,
        p.similar_players?.length ? h('p', null, t('playstyle.similar'), ' ', p.similar_players.map((x, i) => [i ? ', ' : '', navLink(href(`/players/${encodeURIComponent(x)}`), x)])) : null,
      ];
    }, 'playstyle'),
    asyncSection(t('player.battles'), signal, async () => {
      const page = await apiGet<BattlePage>('battles', `/players/${enc}/battles${apiQuery({ limit: 20, after: s.after })}`, signal);
      return [
        table(page.battles, [
          { title: t('col.battle'), cell: (b) => navLink(href(`/battles/${b.battle_id}`), String(b.battle_id)) },
          { title: t('col.ts'), cell: (b) => formatUtc(b.ts) },
          { title: t('col.type'), cell: (b) => b.battle_type ?? '—' },
          { title: t('col.loc'), cell: (b) => `${b.loc.x}, ${b.loc.y}` },
          { title: t('col.players'), cell: (b) => formatInt(b.players_cnt, L), numeric: true },
          { title: t('col.monsters'), cell: (b) => formatInt(b.monsters_cnt, L), numeric: true },
        ]),
        page.next ? h('nav', { class: 'pager' }, navLink(href(path) + stateToQuery({ ...s, after: page.next }, schema), t('pager.next'))) : null,
      ];
    }, 'battles'),
    h('p', null, navLink(href(`/battles${apiQuery({ player: login })}`), t('player.all_battles'))),
  );
};
