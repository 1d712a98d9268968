// Recording a review state (cleared / watch / banned) with a note, for moderators and admins.
import { apiPost } from '../api/client';
import { h, option } from '../dom';
import { t, type MessageKey } from '../i18n';
import { errorState } from './states';

export const VERDICTS = ['cleared', 'watch', 'banned'] as const;

export function verdictForm(login: string, onDone: () => void): HTMLFormElement {
  const select = h('select', { name: 'verdict', 'aria-label': t('antibot.verdict') }, VERDICTS.map((v) => option(v, t(`verdict.${v}` as MessageKey), v === 'watch')));
  const note = h('input', { name: 'note', type: 'text', maxlength: 2000, placeholder: t('antibot.note'), 'aria-label': t('antibot.note') });
  const status = h('span', { class: 'form-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-sm' }, t('antibot.record'));
  const form = h('form', { class: 'verdict-form', 'data-login': login }, select, note, button, status);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    button.disabled = true;
    status.textContent = t('state.loading');
    apiPost<{ verdict: string }>('battles', `/analytics/antibot/player/${encodeURIComponent(login)}/verdict`, { verdict: select.value, note: note.value })
      .then((r) => {
        status.textContent = t('antibot.recorded', { verdict: t(`verdict.${r.verdict}` as MessageKey) });
        onDone();
      })
      .catch((e: unknown) => {
        status.textContent = '';
        status.append(errorState(e));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return form;
}
