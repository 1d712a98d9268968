// The pages the e2e run opens, and for each the numbers it compares with the API.
import { readFile } from 'node:fs/promises';
import { round, sectionState, shownNumber, texts } from './lib.mjs';

const q = (o) => {
  const s = new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  return s ? `?${s}` : '';
};
const unix = (date) => (date ? Date.parse(`${date}T00:00:00Z`) / 1000 : undefined);
const ROUTE_MISSING = new Set(['not_found', 'unknown_service']);

// Which state the UI must show for an API answer (mirror of src/api/errors.ts).
function expectedState(r) {
  const code = r.body?.error;
  if (r.status === 200) return 'content';
  if (code === 'model_not_trained') return 'model_not_trained';
  if ([0, 502, 503, 504].includes(r.status)) return 'backend_down';
  if (r.status === 403) return 'forbidden';
  if (r.status === 404) return !code || ROUTE_MISSING.has(code) ? 'endpoint_missing' : 'not_found';
  if (r.status === 400 || r.status === 422) return 'invalid';
  if (r.status === 409) return 'conflict';
  return 'server';
}

// An answer whose list is empty: the UI shows "no data" for it.
function isEmptyList(b) {
  return ['items', 'battles', 'players', 'history', 'changes', 'events'].some((k) => Array.isArray(b?.[k]) && b[k].length === 0);
}

// Checks a section against its API answer; runs `onContent` when both show data.
async function section(ctx, id, apiPath, onContent) {
  const r = await ctx.api(apiPath);
  const want = expectedState(r);
  const shown = await sectionState(ctx.page, id);
  if (want === 'endpoint_missing') ctx.missing(apiPath.split('?')[0]);
  if (want === 'content' && shown === 'empty' && isEmptyList(r.body)) {
    ctx.checks.ok(`${id}: state empty (the API list is empty)`, true);
    return r;
  }
  ctx.checks.ok(`${id}: state ${want}`, shown === want, `shown ${shown} for HTTP ${r.status} ${r.body?.error ?? ''} (${apiPath})`);
  if (want === 'content' && shown === 'content' && onContent) await onContent(r.body);
  return r;
}

// How many snapshots each shop has (the demo takes one every 30 s).
const shopVersion = async ({ api }) => {
  const shops = await api('/ui/api/shop/shops');
  const ids = [];
  for (const sh of shops.body?.items ?? []) ids.push(JSON.stringify((await api(`/ui/api/shop/snapshots/list?shop_code=${sh.code}&limit=1`)).body?.total ?? null));
  return ids.join(',');
};

const nums = async (page, sel) => (await texts(page, sel)).map(shownNumber);
const one = async (page, sel) => shownNumber(await page.textContent(sel));

export const PAGES = [
  {
    name: 'overview',
    path: ({ env }) => `/ui/${q({ days: env.days === 7 ? undefined : env.days, until: env.until })}`,
    check: async (ctx) => {
      const { page, checks, env } = ctx;
      const win = { days: env.days, until: unix(env.until) };
      await section(ctx, 'server', '/ui/api/gateway/api/server/status', async (b) => checks.eq('rate exp', await one(page, '[data-testid=rate-exp]'), b.rates.exp));
      await section(ctx, 'ingest', '/ui/api/battles/battles/ingest/status', async (b) => checks.eq('battles stored', await one(page, '[data-testid=ingest-battles]'), b.battles));
      const all = await ctx.api(`/ui/api/battles/analytics/antibot/candidates${q({ ...win, limit: 1 })}`);
      if (all.status === 200)
        await section(ctx, 'suspicious', `/ui/api/battles/analytics/antibot/candidates${q({ ...win, limit: 1, min_score: all.body.threshold })}`, async (b) => {
          checks.eq('suspicious count', await one(page, '[data-testid=suspicious-count]'), b.total);
          checks.eq('scored players', await one(page, '[data-testid=scored-players]'), all.body.total);
        });
      else await section(ctx, 'suspicious', `/ui/api/battles/analytics/antibot/candidates${q({ ...win, limit: 1 })}`);
      await section(ctx, 'shops', '/ui/api/shop/shops', async (b) => checks.eq('shop items listed', JSON.stringify(await nums(page, '[data-testid=shop-items]')), JSON.stringify(b.items.map((s) => s.items_listed))));
      await section(ctx, 'global', `/ui/api/battles/analytics/stats${q(win)}`, async (b) => checks.eq('global battles', await one(page, '[data-testid=global-battles]'), b.battles.total));
      await section(ctx, 'registrations', '/ui/api/registration/admin/registrations/summary?days=1', async (b) => {
        checks.eq('registrations today', await one(page, '[data-testid=reg-today-total]'), b.total);
        checks.eq('registrations ok today', await one(page, '[data-testid=reg-today-ok]'), b.ok_count);
      });
    },
  },
  {
    name: 'battles',
    path: () => '/ui/battles?limit=20',
    check: async (ctx) => {
      await section(ctx, 'battles', '/ui/api/battles/battles?limit=20', async (b) =>
        ctx.checks.eq('battle ids', JSON.stringify(await nums(ctx.page, '[data-testid=battle-id]')), JSON.stringify(b.battles.map((x) => x.battle_id))));
      const next = await ctx.page.$('nav.pager a.next');
      ctx.checks.ok('next page link', next !== null);
    },
  },
  {
    name: 'battle-detail',
    path: async ({ api }) => {
      const pvp = await api('/ui/api/battles/battles?kind=pvp&limit=1');
      const id = pvp.body?.battles?.[0]?.battle_id ?? (await api('/ui/api/battles/battles?limit=1')).body?.battles?.[0]?.battle_id;
      return `/ui/battles/${id}`;
    },
    check: async (ctx) => {
      const id = ctx.path.split('/').pop();
      await section(ctx, 'header', `/ui/api/battles/battle/${id}`, async (b) => {
        ctx.checks.eq('turns', await one(ctx.page, '[data-testid=battle-turns]'), b.battle.turns);
        ctx.checks.eq('players', await one(ctx.page, '[data-testid=battle-players]'), b.battle.players_cnt);
        ctx.checks.eq('monsters', await one(ctx.page, '[data-testid=battle-monsters]'), b.battle.monsters_cnt);
      });
      await section(ctx, 'roster', `/ui/api/battles/battle/${id}`, async (b) => {
        ctx.checks.eq('healing', JSON.stringify(await nums(ctx.page, '[data-testid=roster-healing]')), JSON.stringify(b.data.participants.map((p) => p.healing)));
        ctx.checks.eq('damage to players', JSON.stringify(await nums(ctx.page, '[data-testid=roster-dmg-p]')), JSON.stringify(b.data.participants.map((p) => p.damage.players.hp)));
      });
      ctx.checks.ok('hex map drawn', (await ctx.page.$('[data-section=map] canvas[data-testid=hexmap]')) !== null);
      await section(ctx, 'timeline', `/ui/api/battles/battle/${id}/events`);
      const raw = await ctx.page.getAttribute('[data-testid=raw-link]', 'href');
      const r = await ctx.page.context().request.get(new URL(raw, ctx.page.url()).href);
      ctx.checks.ok('raw log link answers XML', r.status() === 200 && (await r.text()).includes('<BATTLE'), `HTTP ${r.status()}`);
    },
  },
  {
    name: 'players',
    path: async ({ api, env }) => {
      const b = await api('/ui/api/battles/battles?kind=pvp&limit=1');
      const d = await api(`/ui/api/battles/battle/${b.body.battles[0].battle_id}`);
      return `/ui/players${q({ q: d.body.data.participants[0].login.slice(0, 2), until: env.until })}`;
    },
    check: async (ctx) => {
      const u = new URL(ctx.path, 'http://x');
      const prefix = u.searchParams.get('q');
      await section(ctx, 'search', `/ui/api/battles/players/search${q({ q: prefix, limit: 50 })}`, async (b) =>
        ctx.checks.eq('search battles', JSON.stringify(await nums(ctx.page, '[data-testid=search-battles]')), JSON.stringify(b.players.map((p) => p.battles))));
      await section(ctx, 'top', `/ui/api/battles/analytics/players/top${q({ metric: 'battles_count', days: 30, until: unix(ctx.env.until), limit: 20 })}`, async (b) =>
        ctx.checks.eq('top battles', JSON.stringify(await nums(ctx.page, '[data-testid=top-battles]')), JSON.stringify(b.items.map((p) => p.battles_count))));
    },
  },
  {
    name: 'player-detail',
    path: async ({ api, env }) => {
      const c = await api(`/ui/api/battles/analytics/antibot/candidates${q({ days: env.days, until: unix(env.until), limit: 1 })}`);
      const login = c.body?.items?.[0]?.login ?? (await api('/ui/api/battles/players/search?q=a&limit=1')).body.players[0].login;
      return `/ui/players/${encodeURIComponent(login)}${q({ days: env.days, until: env.until, tz: 'Europe/Moscow' })}`;
    },
    check: async (ctx) => {
      const login = decodeURIComponent(new URL(ctx.path, 'http://x').pathname.split('/').pop());
      const win = { days: ctx.env.days, until: unix(ctx.env.until) };
      await section(ctx, 'stats', `/ui/api/battles/api/analytics/player/${encodeURIComponent(login)}${q({ ...win, tz: 'Europe/Moscow' })}`, async (b) => {
        ctx.checks.eq('battles', await one(ctx.page, '[data-testid=player-battles]'), b.battles_count);
        ctx.checks.eq('wins', await one(ctx.page, '[data-testid=player-wins]'), b.wins);
        const cells = await ctx.page.$$eval('.hm-table td.hm', (tds) => tds.reduce((n, td) => n + Number(td.textContent || 0), 0));
        ctx.checks.eq('heatmap sum', cells, b.heatmap.reduce((n, c) => n + c.battles, 0));
      });
      await section(ctx, 'antibot', `/ui/api/battles/analytics/antibot/player/${encodeURIComponent(login)}${q(win)}`, async (b) =>
        ctx.checks.eq('score %', await one(ctx.page, '[data-testid=verdict-score]'), round(b.score * 100, 1)));
      await section(ctx, 'playstyle', `/ui/api/battles/analytics/playstyle/${encodeURIComponent(login)}${q({ days: ctx.env.days })}`);
      await section(ctx, 'battles', `/ui/api/battles/players/${encodeURIComponent(login)}/battles?limit=20`);
      await section(ctx, 'sessions', `/ui/api/battles/api/analytics/player/${encodeURIComponent(login)}/sessions${q({ ...win, tz: 'Europe/Moscow', limit: 20 })}`, async (b) => {
        ctx.checks.eq('sessions', await one(ctx.page, '[data-testid=sessions-total]'), b.total);
        ctx.checks.eq('battles per session', JSON.stringify(await nums(ctx.page, '[data-testid=session-battles]')), JSON.stringify(b.items.map((x) => x.battles)));
      });
      await section(ctx, 'locations', `/ui/api/battles/api/analytics/player/${encodeURIComponent(login)}/locations${q({ ...win, limit: 10 })}`, async (b) =>
        ctx.checks.eq('battles per cell', JSON.stringify(await nums(ctx.page, '[data-testid=location-battles]')), JSON.stringify(b.items.map((x) => x.battles))));
    },
  },
  {
    name: 'antibot',
    path: ({ env }) => `/ui/antibot${q({ days: env.days === 7 ? undefined : env.days, until: env.until })}`,
    check: async (ctx) => {
      const win = { days: ctx.env.days, until: unix(ctx.env.until) };
      const r = await section(ctx, 'candidates', `/ui/api/battles/analytics/antibot/candidates${q({ ...win, limit: 50 })}`, async (b) => {
        ctx.checks.eq('scores', JSON.stringify(await nums(ctx.page, '[data-testid=cand-score]')), JSON.stringify(b.items.map((x) => round(x.score * 100, 1))));
        ctx.checks.eq('battles', JSON.stringify(await nums(ctx.page, '[data-testid=cand-battles]')), JSON.stringify(b.items.map((x) => x.battles)));
      });
      await section(ctx, 'audit', '/ui/api/battles/analytics/antibot/audit?limit=200');
      if (ctx.env.write && r.status === 200 && r.body.items.length) {
        const login = r.body.items[0].login;
        const form = ctx.page.locator(`form.verdict-form[data-login="${login}"]`);
        await form.locator('select').selectOption('watch');
        await form.locator('input[name=note]').fill('e2e <b>check</b>');
        await form.locator('button').click();
        await ctx.page.waitForTimeout(1500);
        await ctx.page.waitForFunction(() => !document.querySelector('[data-state="loading"]'));
        const audit = await ctx.api('/ui/api/battles/analytics/antibot/audit?limit=1');
        ctx.checks.ok('verdict recorded', audit.body?.items?.[0]?.login === login && audit.body.items[0].verdict === 'watch', JSON.stringify(audit.body));
        const shown = await ctx.page.textContent('[data-section=audit] tbody tr:first-child');
        ctx.checks.ok('note shown as text', shown?.includes('e2e <b>check</b>'), shown ?? '');
      }
    },
  },
  {
    name: 'clans',
    path: ({ env }) => `/ui/clans${q({ until: env.until })}`,
    check: async (ctx) => {
      const win = { days: 30, until: unix(ctx.env.until) };
      await section(ctx, 'control', `/ui/api/battles/analytics/map/clan-control${q({ ...win, limit: 50 })}`, async (b) =>
        ctx.checks.eq('control battles', JSON.stringify(await nums(ctx.page, '[data-testid=control-battles]')), JSON.stringify(b.items.map((x) => x.battles))));
      await section(ctx, 'wars', `/ui/api/battles/analytics/clans/wars${q({ ...win, limit: 100 })}`, async (b) =>
        ctx.checks.eq('war battles', JSON.stringify(await nums(ctx.page, '[data-testid=war-battles]')), JSON.stringify(b.items.map((x) => x.battles))));
    },
  },
  {
    name: 'clan-members',
    path: async ({ api, env }) => {
      const wars = await api(`/ui/api/battles/analytics/clans/wars${q({ days: 30, until: unix(env.until), limit: 1 })}`);
      const clan = wars.body?.items?.[0]?.clan1 ?? 'none';
      return `/ui/clans${q({ until: env.until, clan })}`;
    },
    check: async (ctx) => {
      const clan = new URL(ctx.path, 'http://x').searchParams.get('clan');
      await section(ctx, 'members', `/ui/api/battles/analytics/clans/${encodeURIComponent(clan)}/members${q({ days: 30, until: unix(ctx.env.until), limit: 200 })}`, async (b) => {
        ctx.checks.eq('member battles', JSON.stringify(await nums(ctx.page, '[data-testid=member-battles]')), JSON.stringify(b.items.map((x) => x.battles)));
        ctx.checks.eq('member wins', JSON.stringify(await nums(ctx.page, '[data-testid=member-wins]')), JSON.stringify(b.items.map((x) => x.wins)));
        ctx.checks.ok('members listed', b.items.length > 0, `no member of ${clan}`);
      });
    },
  },
  {
    name: 'registrations',
    path: () => '/ui/registrations',
    check: async (ctx) => {
      const from = (Math.floor(Date.now() / 86_400_000) - 7 + 1) * 86_400;
      await section(ctx, 'reg-summary', '/ui/api/registration/admin/registrations/summary?days=7', async (b) => {
        ctx.checks.eq('attempts', await one(ctx.page, '[data-testid=reg-total]'), b.total);
        ctx.checks.eq('counts by code', JSON.stringify(await nums(ctx.page, '[data-testid=reg-code-count]')), JSON.stringify(b.by_code.map((c) => c.count)));
        ctx.checks.ok('demo left a failure', b.failed_count > 0 && b.ok_count > 0, JSON.stringify(b.by_code));
        ctx.checks.ok('chart drawn', (await ctx.page.$('canvas[data-testid=reg-chart]')) !== null);
      });
      await section(ctx, 'reg-recent', `/ui/api/registration/admin/registrations/outcomes${q({ from, limit: 50 })}`, async (b) =>
        ctx.checks.eq('recent codes', JSON.stringify(await texts(ctx.page, '[data-testid=reg-row-code]')), JSON.stringify(b.items.map((x) => x.code))));
    },
  },
  {
    name: 'registrations-by-code',
    path: () => '/ui/registrations?code=login_taken',
    check: async (ctx) => {
      const from = (Math.floor(Date.now() / 86_400_000) - 7 + 1) * 86_400;
      await section(ctx, 'reg-recent', `/ui/api/registration/admin/registrations/outcomes${q({ code: 'login_taken', from, limit: 50 })}`, async (b) => {
        ctx.checks.eq('logins with login_taken', JSON.stringify(await texts(ctx.page, '[data-testid=reg-row-login]')), JSON.stringify(b.items.map((x) => x.login || '—')));
        ctx.checks.ok('only that code', b.items.length > 0 && b.items.every((x) => x.code === 'login_taken'), JSON.stringify(b.items));
      });
    },
  },
  {
    name: 'peak-hours',
    path: ({ env }) => `/ui/peak-hours${q({ until: env.until, tz: 'Europe/Moscow' })}`,
    check: async (ctx) => {
      const w = q({ days: 30, until: unix(ctx.env.until), tz: 'Europe/Moscow' });
      await section(ctx, 'peak', `/ui/api/battles/analytics/time/peak-hours${w}`, async (b) => {
        ctx.checks.eq('total', await one(ctx.page, '[data-testid=peak-total]'), b.total_battles);
        ctx.checks.eq('per hour', JSON.stringify(await nums(ctx.page, '[data-testid=peak-row-total]')), JSON.stringify(b.items.map((x) => x.total_battles)));
      });
      await section(ctx, 'heatmap', `/ui/api/battles/analytics/time/activity-heatmap${w}`);
    },
  },
  ...['pvp', 'pve'].map((tab) => ({
    name: `ratings-${tab}`,
    path: ({ env }) => `/ui/ratings${q({ tab: tab === 'pvp' ? undefined : tab, days: env.days, until: env.until, min_battles: 3 })}`,
    check: async (ctx) => {
      const { page, checks } = ctx;
      const win = { days: ctx.env.days, until: unix(ctx.env.until) };
      await section(ctx, 'ratings', `/ui/api/battles/analytics/${tab}/elo${q({ ...win, min_battles: 3, limit: 50 })}`, async (b) => {
        checks.eq('rated players', await one(page, '[data-testid=ratings-total]'), b.total);
        checks.eq('battles rated', await one(page, '[data-testid=ratings-rated]'), b.battles_rated);
        checks.eq('logins', JSON.stringify(await texts(page, '[data-testid=rating-login]')), JSON.stringify(b.items.map((x) => x.login)));
        checks.eq('elo', JSON.stringify(await nums(page, '[data-testid=rating-elo]')), JSON.stringify(b.items.map((x) => round(x.elo, 0))));
        checks.eq('wins', JSON.stringify(await nums(page, '[data-testid=rating-wins]')), JSON.stringify(b.items.map((x) => x.wins)));
        checks.eq('losses', JSON.stringify(await nums(page, '[data-testid=rating-losses]')), JSON.stringify(b.items.map((x) => x.losses)));
        checks.eq('win rate %', JSON.stringify(await nums(page, '[data-testid=rating-win-rate]')), JSON.stringify(b.items.map((x) => round(x.win_rate * 100, 1))));
        checks.eq('battles', JSON.stringify(await nums(page, '[data-testid=rating-battles]')), JSON.stringify(b.items.map((x) => x.total_battles)));
        checks.eq('sparklines', (await page.$$('[data-section=ratings] svg.sparkline polyline')).length, b.items.length);
      });
      if (tab === 'pve')
        await section(ctx, 'monsters', `/ui/api/battles/analytics/pve/elo${q({ ...win, min_battles: 3, limit: 50 })}`, async (b) =>
          checks.eq('monster elo', JSON.stringify(await nums(page, '[data-testid=monster-elo]')), JSON.stringify(b.monsters.map((m) => round(m.elo, 0)))));
    },
  })),
  {
    name: 'churn',
    path: ({ env }) => `/ui/churn${q({ days: env.days, until: env.until })}`,
    check: async (ctx) => {
      const { page, checks } = ctx;
      const api = `/ui/api/battles/analytics/predictions/churn${q({ days: ctx.env.days, until: unix(ctx.env.until), sort: 'risk', min_battles: 5, limit: 50 })}`;
      await section(ctx, 'churn-summary', api, async (b) => {
        for (const band of ['high', 'medium', 'low']) checks.eq(`${band} risk`, await one(page, `[data-testid=churn-${band}]`), b.counts[band]);
        checks.eq('players', await one(page, '[data-testid=churn-players]'), b.players);
      });
      await section(ctx, 'churn-chart', api, async () => checks.ok('distribution drawn', (await page.$('canvas[data-testid=churn-chart]')) !== null));
      await section(ctx, 'churn', api, async (b) => {
        checks.eq('logins', JSON.stringify(await texts(page, '[data-testid=churn-login]')), JSON.stringify(b.items.map((x) => x.login)));
        checks.eq('scores %', JSON.stringify(await nums(page, '[data-testid=churn-score]')), JSON.stringify(b.items.map((x) => round(x.churn_score * 100, 1))));
        checks.eq('days silent', JSON.stringify(await nums(page, '[data-testid=churn-days]')), JSON.stringify(b.items.map((x) => round(x.days_since_last_battle, 1))));
        checks.eq('first half', JSON.stringify(await nums(page, '[data-testid=churn-first]')), JSON.stringify(b.items.map((x) => x.battles_first_half)));
        checks.eq('second half', JSON.stringify(await nums(page, '[data-testid=churn-second]')), JSON.stringify(b.items.map((x) => x.battles_second_half)));
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=churn-csv]')]);
        const csv = await readFile(await download.path(), 'utf8');
        const lines = csv.replace(/^\ufeff/, '').split('\r\n');
        checks.eq('csv rows', lines.length, b.items.length + 2);
        checks.ok('csv first login', b.items.length === 0 || lines[1].split(',')[1].replace(/^"|"$/g, '') === b.items[0].login, lines[1]);
      });
    },
  },
  {
    name: 'shop-snapshots',
    version: shopVersion,
    path: () => '/ui/shop',
    check: async (ctx) => {
      const shops = await ctx.api('/ui/api/shop/shops');
      const code = shops.body.items[0].code;
      await section(ctx, 'snapshots', `/ui/api/shop/snapshots/list?shop_code=${code}&limit=20`, async (b) =>
        ctx.checks.eq('snapshot items', JSON.stringify(await nums(ctx.page, '[data-testid=snap-items]')), JSON.stringify(b.items.map((x) => x.items_count))));
      await section(ctx, 'diff', `/ui/api/shop/snapshots/latest/diff?shop_code=${code}`);
      ctx.checks.eq('items listed', await one(ctx.page, '[data-testid=shop-items-listed]'), shops.body.items[0].items_listed);
    },
  },
  {
    name: 'shop-item-history',
    version: shopVersion,
    path: async ({ api }) => {
      const shops = await api('/ui/api/shop/shops');
      const code = shops.body.items[0].code;
      const d = await api(`/ui/api/shop/snapshots/latest/diff?shop_code=${code}`);
      const changed = d.body?.changes?.find((c) => c.type === 'price_changed') ?? d.body?.changes?.[0];
      const item = changed?.item_id ?? (await api(`/ui/api/shop/items/list?shop_code=${code}&limit=1`)).body.items[0].id;
      return `/ui/shop?tab=items&item=${item}`;
    },
    check: async (ctx) => {
      const shops = await ctx.api('/ui/api/shop/shops');
      const item = new URL(ctx.path, 'http://x').searchParams.get('item');
      await section(ctx, 'history', `/ui/api/shop/items/${item}/history?shop_code=${shops.body.items[0].code}`, async (b) => {
        ctx.checks.eq('history prices', JSON.stringify(await nums(ctx.page, '[data-testid=history-price]')), JSON.stringify(b.history.map((x) => x.price)));
        ctx.checks.ok('price chart drawn', (await ctx.page.$('canvas[data-testid=price-chart]')) !== null);
      });
    },
  },
  {
    name: 'shop-sellers',
    version: shopVersion,
    path: () => '/ui/shop?tab=sellers',
    check: async (ctx) => {
      const shops = await ctx.api('/ui/api/shop/shops');
      await section(ctx, 'sellers', `/ui/api/shop/sellers/stats?shop_code=${shops.body.items[0].code}&limit=100`, async (b) =>
        ctx.checks.eq('seller items', JSON.stringify(await nums(ctx.page, '[data-testid=seller-items]')), JSON.stringify(b.items.map((x) => x.items_count))));
    },
  },
  // The API reference (/docs/, Swagger UI): every operation of the document is rendered; "Try it
  // out" exactly where the index says this page can call the service.
  ...['battles', 'orchestrator'].map((service) => ({
    name: `api-docs-${service}`,
    standalone: true,
    path: () => `/docs/?service=${service}`,
    check: async (ctx) => {
      const { page, checks } = ctx;
      const doc = await ctx.api(`/docs/openapi/${service}.json`);
      const index = await ctx.api('/docs/openapi/index.json');
      checks.ok(`${service} document served`, doc.status === 200 && doc.body?.openapi === '3.0.3', `HTTP ${doc.status}`);
      const entry = index.body.services.find((s) => s.name === service);
      await page.waitForSelector('.opblock', { timeout: 20000 });
      const operations = Object.values(doc.body.paths).reduce((n, item) => n + ['get', 'put', 'post', 'delete', 'patch'].filter((m) => m in item).length, 0);
      checks.eq('operations rendered', (await page.$$('.opblock')).length, operations);
      checks.eq('title shown', (await page.textContent('.info .title'))?.includes(doc.body.info.title), true);
      checks.eq('servers entry', await page.$eval('.servers select', (el) => el.value).catch(() => null), entry.server);
      await page.click('.opblock .opblock-summary');
      const tryOut = await page.waitForSelector('.try-out__btn', { timeout: 3000 }).catch(() => null);
      checks.eq('try it out offered', tryOut !== null, entry.try_it_out);
    },
  })),
  {
    name: 'not-found',
    path: () => '/ui/battles/999999999',
    check: async (ctx) => {
      await section(ctx, 'header', '/ui/api/battles/battle/999999999');
    },
  },
];
