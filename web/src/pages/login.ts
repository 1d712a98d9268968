// The login page: POST /ui/session; on success go where the operator was going.
import { h } from '../dom';
import { t } from '../i18n';
import { href, navigate } from '../router';
import { logIn, type Session } from '../session';
import { errorState } from '../ui/states';
import { ApiError } from '../api/errors';

// Only paths inside the app are followed after login (no open redirect).
export function safeNext(next: string | null): string {
  return next && next.startsWith('/ui/') && !next.startsWith('//') && !next.includes('\\') ? next : href('/');
}

export function loginPage(query: string, onLogin: (s: Session) => void): HTMLElement {
  const next = safeNext(new URLSearchParams(query).get('next'));
  const user = h('input', { id: 'login-user', name: 'username', type: 'text', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, t('login.submit'));
  const form = h('form', { class: 'login-form card' },
    h('h1', null, t('login.title')),
    h('label', { for: 'login-user' }, h('span', null, t('login.user')), user),
    h('label', { for: 'login-password' }, h('span', null, t('login.password')), pass),
    button, status);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    button.disabled = true;
    status.replaceChildren();
    logIn(user.value, pass.value)
      .then((s) => {
        onLogin(s);
        navigate(next, true);
      })
      .catch((e: unknown) => {
        status.replaceChildren(e instanceof ApiError && e.status === 401 ? h('div', { class: 'state state-forbidden', 'data-state': 'invalid_credentials' }, t('login.invalid')) : errorState(e));
      })
      .finally(() => (button.disabled = false));
  });
  return h('div', { class: 'login-page' }, form);
}
