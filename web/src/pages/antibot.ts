// The anti-bot workspace: candidates of the window above a minimum score, their review state
// (the latest verdict of the audit trail), verdicts for moderators, training for admins, the audit.
import { apiGet, apiPost } from '../api/client';
import type { AuditEntry, Candidates, TrainJob } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatPercent, formatUtc } from '../format';
import { lang, t, type MessageKey } from '../i18n';
import { hasRole } from '../session';
import { href, rerender } from '../router';
import { apiQuery, parseState, stateToQuery, int, flt } from '../url-state';
import { daysField, filterForm, untilField } from '../ui/filters';
import { asyncSection, card } from '../ui/section';
import { errorState } from '../ui/states';
import { table } from '../ui/table';
import { verdictForm } from '../ui/verdict-form';
import { untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

export const MIN_SCORES = [0, 0.3, 0.5, 0.7, 0.9];
const schema = {
  ...windowSchema(7),
  min_score: flt(0, 0, 1),
  cursor: int(0, 0, 1 << 30),
};
const LIMIT = 50;

// The latest verdict per login (the audit is newest first).
export function latestVerdicts(audit: readonly AuditEntry[]): Map<string, AuditEntry> {
  const out = new Map<string, AuditEntry>();
  for (const a of audit) if (a.action === 'verdict' && !out.has(a.login.toLowerCase())) out.set(a.login.toLowerCase(), a);
  return out;
}

function trainPanel(days: number, until: number | undefined): HTMLElement {
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'btn' }, t('antibot.train', { days }));
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = t('state.loading');
    const poll = async (id: string): Promise<TrainJob> => {
      for (let i = 0; i < 600; i++) {
        const j = await apiGet<TrainJob>('battles', `/api/admin/ml/jobs/${encodeURIComponent(id)}`);
        status.textContent = t('antibot.job', { id, status: j.status });
        if (j.status === 'done' || j.status === 'failed') return j;
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error('timeout');
    };
    apiPost<TrainJob>('battles', `/api/admin/ml/train-botdetector${apiQuery({ days, until })}`, {})
      .then((j) => poll(j.job_id))
      .then((j) => {
        status.textContent = `${t('antibot.job', { id: j.job_id, status: j.status })}: ${JSON.stringify(j.result ?? {})}`;
        if (j.status === 'done') setTimeout(rerender, 800);
      })
      .catch((e: unknown) => {
        status.textContent = '';
        status.append(errorState(e));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return card(t('antibot.training'), h('p', { class: 'muted' }, t('antibot.train_hint')), button, status);
}

export const antibotPage: Page = ({ query, signal, session }) => {
  const s = parseState(query, schema);
  const L = lang();
  const until = untilUnix(s.until);
  const audit = apiGet<{ items: AuditEntry[] }>('battles', '/analytics/antibot/audit?limit=200', signal);
  audit.catch(() => undefined);
  const moderator = hasRole(session, 'moderator');
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.antibot')),
    filterForm('/antibot', schema, [
      daysField(s.days),
      untilField(String(s.until)),
      { kind: 'select', name: 'min_score', label: t('filter.min_score'), value: String(s.min_score), options: MIN_SCORES.map((m) => ({ value: String(m), label: formatPercent(m, L, 0) })) },
    ]),
    hasRole(session, 'admin') ? trainPanel(Number(s.days), until) : null,
    asyncSection(t('antibot.candidates'), signal, async () => {
      const c = await apiGet<Candidates>('battles', `/analytics/antibot/candidates${apiQuery({ days: s.days, until, min_score: s.min_score || undefined, limit: LIMIT, cursor: s.cursor || undefined })}`, signal);
      const reviews = await audit.then((a) => latestVerdicts(a.items), () => null);
      return [
        h('p', { class: 'muted', 'data-testid': 'candidates-summary' }, t('antibot.summary', {
          total: formatInt(c.total, L), days: c.period_days, end: formatUtc(c.window_end), model: c.model_version, threshold: formatPercent(c.threshold, L, 0),
        })),
        table(c.items, [
          { title: t('col.login'), cell: (x) => navLink(href(`/players/${encodeURIComponent(x.login)}${apiQuery({ days: s.days, until: s.until })}`), x.login), testid: 'cand-login' },
          { title: t('antibot.score'), cell: (x) => formatPercent(x.score, L, 1), numeric: true, testid: 'cand-score' },
          { title: t('antibot.is_bot'), cell: (x) => (x.is_bot ? h('span', { class: 'badge sev-high' }, t('antibot.bot')) : t('antibot.not_bot')) },
          { title: t('antibot.method'), cell: (x) => x.method },
          { title: t('col.battles'), cell: (x) => formatInt(x.battles, L), numeric: true, testid: 'cand-battles' },
          { title: t('antibot.reasons'), cell: (x) => x.reasons.join(', ') || '—' },
          { title: t('antibot.review_state'), cell: (x) => {
            if (!reviews) return '—';
            const r = reviews.get(x.login.toLowerCase());
            return r ? h('span', { class: `badge verdict-${r.verdict}`, title: `${r.actor} ${r.created_at}` }, t(`verdict.${r.verdict}` as MessageKey)) : t('verdict.none');
          } },
          ...(moderator ? [{ title: t('antibot.review'), cell: (x: { login: string }) => verdictForm(x.login, () => setTimeout(rerender, 300)) }] : []),
        ]),
        h('nav', { class: 'pager' },
          Number(s.cursor) > 0 ? navLink(href('/antibot') + stateToQuery({ ...s, cursor: Math.max(0, Number(s.cursor) - LIMIT) }, schema), t('pager.prev')) : null,
          c.next_cursor ? navLink(href('/antibot') + stateToQuery({ ...s, cursor: Number(c.next_cursor) }, schema), t('pager.next')) : null),
      ];
    }, 'candidates'),
    asyncSection(t('antibot.audit'), signal, async () => {
      const a = await audit;
      return table(a.items, [
        { title: t('col.at'), cell: (x) => formatUtc(x.created_at) },
        { title: t('col.login'), cell: (x) => navLink(href(`/players/${encodeURIComponent(x.login)}`), x.login) },
        { title: t('antibot.verdict'), cell: (x) => t(`verdict.${x.verdict}` as MessageKey) },
        { title: t('antibot.note'), cell: (x) => x.note },
        { title: t('col.actor'), cell: (x) => x.actor },
      ]);
    }, 'audit'),
  );
};
