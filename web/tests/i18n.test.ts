import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { ru } from '../src/i18n/ru';
import { missingKeys, normalizeLang, translate } from '../src/i18n/translate';

describe('i18n', () => {
  it('has the same keys in both catalogues', () => {
    expect(missingKeys(ru, en)).toEqual([]);
  });
  it('uses the same placeholders in both languages', () => {
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    for (const k of Object.keys(ru) as (keyof typeof ru)[]) expect(ph(en[k]), k).toBe(ph(ru[k]));
  });
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate(ru, ru, 'battle.title', { id: 42 })).toBe('Бой 42');
    expect(translate(en, ru, 'battle.title', { id: 42 })).toBe('Battle 42');
    expect(translate(en, ru, 'battle.title')).toBe('Battle {id}');
    expect(translate({}, ru, 'nav.shop')).toBe('Магазины');
    expect(translate({}, {}, 'no.such')).toBe('no.such');
  });
  it('defaults to Russian', () => {
    expect(normalizeLang(null)).toBe('ru');
    expect(normalizeLang('de')).toBe('ru');
    expect(normalizeLang('en')).toBe('en');
  });
});
