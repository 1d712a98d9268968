// The UI language: Russian by default, English on request, remembered in localStorage.
import type { Lang } from '../format';
import { en } from './en';
import { ru, type MessageKey } from './ru';
import { normalizeLang, translate } from './translate';

const STORAGE_KEY = 'tzr.lang';
let current: Lang = 'ru';

export function initLang(): Lang {
  try {
    current = normalizeLang(localStorage.getItem(STORAGE_KEY));
  } catch {
    current = 'ru';
  }
  document.documentElement.lang = current;
  return current;
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    /* storage may be disabled: the choice lasts for this page only */
  }
  document.documentElement.lang = l;
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(current === 'en' ? en : ru, ru, key, params);
}

export type { MessageKey };
