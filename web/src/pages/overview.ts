// Overview: server status and rates, battle ingest, suspicious players, shop snapshot freshness,
// and the global statistics of the analytics window.
import { apiGet, enc } from '../api/client';
import type { Candidates, GlobalStats, IngestStatus, Paged, RegSummary, ServerStatus, Shop, Snapshot } from '../api/types';
import { h, navLink } from '../dom';
import { ageParts, formatInt, formatNumber, formatPercent, formatUtc } from '../format';
import { lang, t } from '../i18n';
import { href } from '../router';
import { hasRole } from '../session';
import { apiQuery, parseState } from '../url-state';
import { daysField, filterForm, untilField } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { stats, table } from '../ui/table';
import { untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

const schema = windowSchema(7);

export function age(v: unknown): string {
  const a = ageParts(v, new Date());
  return a ? t(`age.${a.unit}`, { n: a.n }) : '—';
}

export const overviewPage: Page = ({ query, signal, session }) => {
  const s = parseState(query, schema);
  const win = { days: s.days, until: untilUnix(s.until) };
  const L = lang();
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.overview')),
    filterForm('/', schema, [daysField(s.days), untilField(String(s.until))]),
    h(
      'div',
      { class: 'grid' },
      asyncSection(t('overview.server'), signal, async () => {
        const st = await apiGet<ServerStatus>('gateway', '/api/server/status', signal);
        return [
          stats([
            { label: t('overview.server_status'), value: formatNumber(st.server_status, L), testid: 'server-status' },
            { label: t('overview.client_status'), value: formatNumber(st.client_status, L) },
            { label: t('overview.rate_exp'), value: formatNumber(st.rates?.exp, L), testid: 'rate-exp' },
            { label: t('overview.rate_pvp'), value: formatNumber(st.rates?.pvp, L), testid: 'rate-pvp' },
            { label: t('overview.rate_pve'), value: formatNumber(st.rates?.pve, L), testid: 'rate-pve' },
            { label: t('overview.rate_color_mob'), value: formatNumber(st.rates?.color_mob, L) },
            { label: t('overview.rate_skill'), value: formatNumber(st.rates?.skill, L) },
          ]),
          st._cache?.stale ? h('p', { class: 'warn' }, t('overview.stale')) : null,
        ];
      }, 'server'),
      // Today (UTC) from the registration summary; counts only, so moderators see them too.
      hasRole(session, 'moderator') ? asyncSection(t('overview.registrations'), signal, async () => {
        const r = await apiGet<RegSummary>('registration', '/admin/registrations/summary?days=1', signal);
        const top = r.by_code.filter((c) => c.code !== 'ok').slice(0, 3);
        return [
          stats([
            { label: t('overview.reg_today'), value: formatInt(r.total, L), testid: 'reg-today-total' },
            { label: t('reg.ok'), value: formatInt(r.ok_count, L), testid: 'reg-today-ok' },
            { label: t('reg.failed'), value: formatInt(r.failed_count, L), testid: 'reg-today-failed' },
            ...top.map((c) => ({ label: c.code, value: formatInt(c.count, L) })),
          ]),
          navLink(href('/registrations?days=1'), t('overview.open_registrations')),
        ];
      }, 'registrations') : null,
      asyncSection(t('overview.ingest'), signal, async () => {
        const st = await apiGet<IngestStatus>('battles', '/battles/ingest/status', signal);
        return [
          stats([
            { label: t('overview.battles_stored'), value: formatInt(st.battles, L), testid: 'ingest-battles' },
            ...Object.entries(st.ingest_log).map(([k, v]) => ({ label: t('overview.ingest_log', { status: k }), value: formatInt(v, L) })),
            { label: t('overview.newest_battle'), value: st.newest_battle_id ? navLink(href(`/battles/${st.newest_battle_id}`), String(st.newest_battle_id)) : '—' },
            { label: t('overview.parser_version'), value: formatInt(st.parser_version, L) },
          ]),
          h('h3', null, t('overview.recent_failures')),
          table(st.recent_failures, [
            { title: t('col.at'), cell: (r) => formatUtc(r.at) },
            { title: t('col.name'), cell: (r) => r.name },
            { title: t('col.error'), cell: (r) => r.error },
            { title: t('col.message'), cell: (r) => r.message },
          ]),
        ];
      }, 'ingest'),
      asyncSection(t('overview.suspicious'), signal, async () => {
        const all = await apiGet<Candidates>('battles', `/analytics/antibot/candidates${apiQuery({ ...win, limit: 1 })}`, signal);
        const sus = await apiGet<Candidates>('battles', `/analytics/antibot/candidates${apiQuery({ ...win, limit: 1, min_score: all.threshold })}`, signal);
        return [
          stats([
            { label: t('overview.suspicious_count'), value: formatInt(sus.total, L), testid: 'suspicious-count' },
            { label: t('overview.scored_players'), value: formatInt(all.total, L), testid: 'scored-players' },
            { label: t('overview.threshold'), value: formatPercent(all.threshold, L, 0) },
            { label: t('overview.model'), value: all.model_version },
          ]),
          navLink(href(`/antibot${apiQuery({ days: s.days, until: s.until, min_score: all.threshold })}`), t('overview.open_antibot')),
        ];
      }, 'suspicious'),
      asyncSection(t('overview.shops'), signal, async () => {
        const shops = await apiGet<Paged<Shop>>('shop', '/shops', signal);
        const latest = await Promise.all(
          shops.items.map((x) =>
            apiGet<Snapshot>('shop', `/snapshots/latest?shop_code=${enc(x.code)}`, signal).catch(() => null),
          ),
        );
        return table(shops.items, [
          { title: t('col.shop'), cell: (r) => navLink(href(`/shop?shop=${enc(r.code)}`), r.name) },
          { title: t('col.items_listed'), cell: (r) => formatInt(r.items_listed, L), numeric: true, testid: 'shop-items' },
          { title: t('col.snapshot'), cell: (_r, i) => (latest[i] ? `#${latest[i]!.id} (${latest[i]!.status})` : '—') },
          { title: t('col.finished_at'), cell: (_r, i) => formatUtc(latest[i]?.finished_at) },
          { title: t('col.age'), cell: (_r, i) => (latest[i]?.finished_at ? age(latest[i]!.finished_at) : '—') },
        ]);
      }, 'shops'),
      asyncSection(t('overview.global'), signal, async () => {
        const g = await apiGet<GlobalStats>('battles', `/analytics/stats${apiQuery(win)}`, signal);
        return stats([
          { label: t('overview.g_battles'), value: formatInt(g.battles.total, L), testid: 'global-battles' },
          { label: t('overview.g_pvp'), value: formatInt(g.battles.pvp, L) },
          { label: t('overview.g_pve'), value: formatInt(g.battles.pve, L) },
          { label: t('overview.g_active_days'), value: formatInt(g.battles.active_days, L) },
          { label: t('overview.g_avg_players'), value: formatNumber(g.battles.avg_players_per_battle, L, 2) },
          { label: t('overview.g_unique_players'), value: formatInt(g.players.unique_players, L), testid: 'global-players' },
          { label: t('overview.g_unique_clans'), value: formatInt(g.players.unique_clans, L) },
        ]);
      }, 'global'),
    ),
  );
};
