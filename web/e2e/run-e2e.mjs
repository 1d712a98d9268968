// End-to-end run of the dashboard in Debian's Chromium: log in, open every page, compare the key
// numbers shown with what the API returns for the same URL, fail on console errors, screenshot
// every page. Env: TZR_UI_URL (server serving /ui/), TZR_UI_USER, TZR_UI_PASSWORD,
// TZR_UI_ARTIFACTS (default web/e2e/artifacts), TZR_UI_UNTIL (a UTC date ending the analytics
// windows, e.g. 2025-10-03 for the demo's logs), TZR_UI_DAYS (default 7), TZR_UI_E2E_WRITE=1 to
// also record one anti-bot verdict.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, settle } from './lib.mjs';
import { PAGES } from './pages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const base = (process.env.TZR_UI_URL ?? 'http://127.0.0.1:5173').replace(/\/+$/, '');
const user = process.env.TZR_UI_USER ?? 'operator';
const password = process.env.TZR_UI_PASSWORD ?? '';
const artifacts = resolve(process.env.TZR_UI_ARTIFACTS ?? join(here, 'artifacts'));
const env = { until: process.env.TZR_UI_UNTIL ?? '', days: Number(process.env.TZR_UI_DAYS ?? 7), write: process.env.TZR_UI_E2E_WRITE === '1' };
if (!password) {
  console.error('TZR_UI_PASSWORD is required');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.TZR_UI_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
const page = await context.newPage();
const consoleErrors = [];
const httpErrors = []; // API answers >= 400: expected states, reported apart
let current = 'login';
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  const url = m.location()?.url ?? '';
  if (/Failed to load resource/.test(m.text()) && /\/ui\/(api|session)/.test(url)) return; // logged in httpErrors
  consoleErrors.push({ page: current, text: m.text(), url });
});
page.on('pageerror', (e) => consoleErrors.push({ page: current, text: String(e) }));
page.on('response', (r) => {
  const u = new URL(r.url());
  if (r.status() >= 400 && u.pathname.startsWith('/ui/')) httpErrors.push({ page: current, status: r.status(), url: u.pathname + u.search });
});

// The API as the test sees it: same cookies as the browser context.
const api = async (path) => {
  const r = await context.request.get(base + path);
  let body = null;
  try {
    body = await r.json();
  } catch {
    body = null;
  }
  return { status: r.status(), body };
};

const report = { base, pages: [], consoleErrors, httpErrors, missingEndpoints: [] };
let failed = 0;
try {
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('#login-user', { timeout: 20000 });
  const login = new Checks(page);
  login.ok('redirected to login', page.url().includes('/ui/login'), page.url());
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('.login-form button[type=submit]');
  await page.waitForSelector('[data-testid=user]', { timeout: 20000 });
  login.ok('logged in', (await page.textContent('[data-testid=user]')) === user);
  await page.screenshot({ path: join(artifacts, '00-login-done.png') });
  report.pages.push({ name: 'login', results: login.results });
  failed += login.failed().length;

  for (const [i, def] of PAGES.entries()) {
    current = def.name;
    let checks;
    // Pages over data the demo keeps changing (shop snapshots) name a version of that data; a page
    // whose checks fail while the version moved is opened again (at most three times).
    for (let attempt = 1; ; attempt++) {
      checks = new Checks(page);
      const before = def.version ? await def.version({ api }) : undefined;
      try {
        const path = await def.path({ api, env });
        await page.goto(base + path);
        // Pages outside the dashboard (the API reference) wait in their own check.
        if (!def.standalone) await settle(page);
        await def.check({ page, api, env, checks, path, missing: (e) => report.missingEndpoints.push(e) });
        if (!def.standalone) await settle(page);
      } catch (e) {
        checks.ok('page ran', false, String(e?.stack ?? e));
      }
      const moved = def.version && before !== (await def.version({ api }));
      if (!(moved && checks.failed().length && attempt < 3)) break;
      console.log(`     (${def.name}: the data changed during the check; attempt ${attempt + 1})`);
    }
    await page.screenshot({ path: join(artifacts, `${String(i + 1).padStart(2, '0')}-${def.name}.png`), fullPage: true });
    const own = consoleErrors.filter((c) => c.page === def.name);
    checks.ok('no console errors', own.length === 0, own.map((c) => c.text).join(' | '));
    report.pages.push({ name: def.name, results: checks.results });
    failed += checks.failed().length;
  }
} finally {
  await browser.close();
}

writeFileSync(join(artifacts, 'report.json'), JSON.stringify(report, null, 2));
for (const p of report.pages) {
  const bad = p.results.filter((r) => !r.ok);
  console.log(`${bad.length ? 'FAIL' : 'ok  '} ${p.name} (${p.results.length} checks)`);
  for (const b of bad) console.log(`     ✗ ${b.name}: ${b.detail}`);
}
const missing = [...new Set(report.missingEndpoints)];
if (missing.length) console.log(`endpoints not available (shown as such): ${missing.join(', ')}`);
if (httpErrors.length) console.log(`API answers >= 400 shown as states: ${httpErrors.length} (see report.json)`);
const passed = report.pages.reduce((n, p) => n + p.results.filter((r) => r.ok).length, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
