// Helpers of the e2e run: reading numbers as the UI shows them, waiting for sections, asserting.

// "1 234,5 %" / "1,234.5" / "—" → number (or null for the dash).
export function shownNumber(text) {
  const t = (text ?? '').replace(/[\s\u00a0\u202f]/g, '').replace('%', '');
  if (t === '—' || t === '') return null;
  const n = Number(t.replace(/,/g, '.'));
  return Number.isFinite(n) ? n : NaN;
}

export function round(v, digits) {
  if (typeof v !== 'number') return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export class Checks {
  constructor(page) {
    this.page = page;
    this.results = [];
  }
  ok(name, cond, detail = '') {
    this.results.push({ name, ok: !!cond, detail: cond ? '' : detail });
  }
  eq(name, shown, expected) {
    const ok = shown === expected || (typeof shown === 'number' && typeof expected === 'number' && Math.abs(shown - expected) < 1e-9);
    this.ok(name, ok, `shown ${JSON.stringify(shown)}, API ${JSON.stringify(expected)}`);
  }
  failed() {
    return this.results.filter((r) => !r.ok);
  }
}

// Waits until no section of the page is loading any more.
export async function settle(page, timeout = 30000) {
  await page.waitForFunction(() => document.querySelector('#content') && !document.querySelector('[data-state="loading"]'), null, { timeout });
  await page.waitForTimeout(300); // charts are created on the next frame
}

// The state shown by a section (data-section="id"): "content" when it shows data.
export async function sectionState(page, id) {
  return page.evaluate((sid) => {
    const s = document.querySelector(`[data-section="${sid}"]`);
    if (!s) return 'absent';
    const st = s.firstElementChild?.getAttribute('data-state');
    return st ?? 'content';
  }, id);
}

export async function texts(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));
}
