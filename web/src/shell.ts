// The one shell around every page: navigation, the user and role, the language switch, logout.
import { h, navLink, option } from './dom';
import { lang, setLang, t, type MessageKey } from './i18n';
import { href, rerender } from './router';
import type { Session } from './session';

export const NAV: { path: string; key: MessageKey }[] = [
  { path: '/', key: 'nav.overview' },
  { path: '/battles', key: 'nav.battles' },
  { path: '/players', key: 'nav.players' },
  { path: '/antibot', key: 'nav.antibot' },
  { path: '/clans', key: 'nav.clans' },
  { path: '/peak-hours', key: 'nav.peak' },
  { path: '/ratings', key: 'nav.ratings' },
  { path: '/churn', key: 'nav.churn' },
  { path: '/shop', key: 'nav.shop' },
  { path: '/registrations', key: 'nav.registrations' },
];

export function isActive(navPath: string, path: string): boolean {
  return navPath === '/' ? path === '/' : path === navPath || path.startsWith(`${navPath}/`);
}

export function shell(path: string, session: Session, content: Node, onLogout: () => void): HTMLElement {
  const langSelect = h('select', { 'aria-label': t('shell.language'), 'data-testid': 'lang' }, option('ru', 'Русский', lang() === 'ru'), option('en', 'English', lang() === 'en'));
  langSelect.addEventListener('change', () => {
    setLang(langSelect.value === 'en' ? 'en' : 'ru');
    rerender();
  });
  const logout = h('button', { type: 'button', class: 'btn btn-ghost btn-sm' }, t('shell.logout'));
  logout.addEventListener('click', onLogout);
  return h(
    'div',
    { class: 'shell' },
    h('header', { class: 'topbar' },
      navLink(href('/'), t('shell.title'), 'brand'),
      h('nav', { class: 'mainnav', 'aria-label': t('shell.navigation') },
        NAV.map((n) => navLink(href(n.path), t(n.key), isActive(n.path, path) ? 'active' : undefined))),
      h('div', { class: 'user' },
        h('span', { 'data-testid': 'user' }, session.user),
        h('span', { class: `badge role-${session.role}`, 'data-testid': 'role' }, t(`role.${session.role}` as MessageKey)),
        langSelect, logout)),
    h('main', { id: 'content' }, content),
  );
}
