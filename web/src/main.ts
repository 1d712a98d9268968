// Boot: language, session, router. Every /ui/... path renders inside the shell; no session → login.
import './styles/app.css';
import { SESSION_ENDED_EVENT } from './api/client';
import { h, replace } from './dom';
import { initLang, t } from './i18n';
import { href, matchRoute, navigate, startRouter } from './router';
import { currentSession, logOut, type Session } from './session';
import { destroyCharts } from './ui/chart';
import { errorState, stateBox } from './ui/states';
import { shell } from './shell';
import { loginPage } from './pages/login';
import type { Page } from './pages/page';
import { overviewPage } from './pages/overview';
import { battlesPage } from './pages/battles';
import { battleDetailPage } from './pages/battle-detail';
import { playersPage } from './pages/players';
import { playerDetailPage } from './pages/player-detail';
import { antibotPage } from './pages/antibot';
import { clansPage } from './pages/clans';
import { peakHoursPage } from './pages/peak-hours';
import { shopPage } from './pages/shop';
import { ratingsPage } from './pages/ratings';
import { churnPage } from './pages/churn';
import { registrationsPage } from './pages/registrations';

const ROUTES: Record<string, Page> = {
  '/': overviewPage,
  '/battles': battlesPage,
  '/battles/:id': battleDetailPage,
  '/players': playersPage,
  '/players/:login': playerDetailPage,
  '/antibot': antibotPage,
  '/clans': clansPage,
  '/peak-hours': peakHoursPage,
  '/shop': shopPage,
  '/ratings': ratingsPage,
  '/churn': churnPage,
  '/registrations': registrationsPage,
};

const app = document.getElementById('app')!;
let session: Session | null = null;

function toLogin(): void {
  const here = location.pathname + location.search;
  navigate(`${href('/login')}${here.startsWith(href('/login')) ? '' : `?next=${encodeURIComponent(here)}`}`, true);
}

function render(path: string, query: string, signal: AbortSignal): void {
  destroyCharts();
  if (path === '/login') {
    if (session) return navigate(href('/'), true);
    replace(app, loginPage(query, (s) => (session = s)));
    document.title = t('login.title');
    return;
  }
  if (!session) return toLogin();
  const m = matchRoute(Object.keys(ROUTES), path);
  let content: Node;
  if (!m) content = h('div', { class: 'page' }, stateBox('not_found', path));
  else {
    try {
      content = ROUTES[m.route]({ path, params: m.params, query, signal, session });
    } catch (e) {
      content = errorState(e);
    }
  }
  replace(app, shell(path, session, content, () => {
    logOut().finally(() => {
      session = null;
      toLogin();
    });
  }));
  document.title = `TZR — ${t('shell.title')}`;
}

async function boot(): Promise<void> {
  initLang();
  replace(app, stateBox('loading'));
  try {
    session = await currentSession();
  } catch (e) {
    replace(app, h('div', { class: 'page' }, errorState(e)));
    return;
  }
  window.addEventListener(SESSION_ENDED_EVENT, () => {
    if (!session) return;
    session = null;
    toLogin();
  });
  startRouter(render);
}

void boot();
