import { describe, expect, it } from 'vitest';
import { ageParts, formatBytes, formatInt, formatMoney, formatNumber, formatPercent, formatUtc, utcDateToUnix } from '../src/format';

const nb = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('format', () => {
  it('shows a missing value as a dash, never as 0', () => {
    for (const v of [null, undefined, NaN, 'x', Infinity]) {
      expect(formatInt(v, 'ru')).toBe('—');
      expect(formatPercent(v, 'en')).toBe('—');
      expect(formatMoney(v, 'en')).toBe('—');
    }
  });
  it('groups integers per language', () => {
    expect(nb(formatInt(1234567, 'ru'))).toBe('1 234 567');
    expect(formatInt(1234567, 'en')).toBe('1,234,567');
    expect(formatInt(0, 'en')).toBe('0');
  });
  it('turns ratios into percentages with the stated precision', () => {
    expect(formatPercent(0.46153846, 'en', 1)).toBe('46.2 %');
    expect(nb(formatPercent(0.46153846, 'ru', 1))).toBe('46,2 %');
    expect(formatPercent(0.5, 'en', 0)).toBe('50 %');
    expect(formatPercent(0, 'en', 1)).toBe('0.0 %');
    expect(formatPercent(1, 'en', 1)).toBe('100.0 %');
  });
  it('rounds numbers only for display', () => {
    expect(formatNumber(470.75, 'en', 1)).toBe('470.8');
    expect(formatNumber(2, 'en', 2)).toBe('2');
    expect(formatMoney(5483.06, 'en')).toBe('5,483.06');
  });
  it('formats sizes in binary units', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(2677, 'en')).toBe('2.6 KiB');
    expect(formatBytes(-1, 'en')).toBe('—');
  });
  it('shows times in UTC from ISO text or Unix seconds', () => {
    expect(formatUtc('2025-10-02T05:18:28Z')).toBe('2025-10-02 05:18:28 UTC');
    expect(formatUtc(1759382308)).toBe('2025-10-02 05:18:28 UTC');
    expect(formatUtc('garbage')).toBe('—');
    expect(formatUtc(null)).toBe('—');
  });
  it('measures ages in the nearest unit', () => {
    const now = new Date('2025-10-02T12:00:00Z');
    expect(ageParts('2025-10-02T11:59:30Z', now)).toEqual({ n: 30, unit: 's' });
    expect(ageParts('2025-10-02T11:30:00Z', now)).toEqual({ n: 30, unit: 'min' });
    expect(ageParts('2025-10-02T02:00:00Z', now)).toEqual({ n: 10, unit: 'h' });
    expect(ageParts('2025-09-25T12:00:00Z', now)).toEqual({ n: 7, unit: 'd' });
    expect(ageParts(undefined, now)).toBeUndefined();
  });
  it('reads UTC dates strictly', () => {
    expect(utcDateToUnix('2025-10-03')).toBe(1759449600);
    expect(utcDateToUnix('2025-02-30')).toBeUndefined();
    expect(utcDateToUnix('03.10.2025')).toBeUndefined();
  });
});
