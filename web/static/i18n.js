// The staff pages' language: Vietnamese by default, English selectable, the
// choice remembered in localStorage. t(key, params) gives a UI text,
// errorText(code) the user's sentence for a protocol error code (never the
// node's English `message`). Elements marked data-i18n="key" (text),
// data-i18n-aria-label, data-i18n-title or data-i18n-placeholder are
// translated by translatePage().

import { TEXT, ERRORS } from './i18n_text.js';

const KEY = 'bridgecast.lang';
export const LANGUAGES = { vi: 'Tiếng Việt', en: 'English' };

let current = readStored();
const listeners = new Set();

function readStored() {
  try {
    const stored = localStorage.getItem(KEY);
    return stored in LANGUAGES ? stored : 'vi';
  } catch {
    return 'vi';
  }
}

export function language() {
  return current;
}

export function setLanguage(lang) {
  if (!(lang in LANGUAGES) || lang === current) return;
  current = lang;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // not remembered: the page still switches
  }
  translatePage();
  for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
}

// `{name}` in the text is replaced by params.name.
export function t(key, params = {}) {
  const text = TEXT[current][key] ?? TEXT.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A number in the user's language: "1,5" in Vietnamese, "1.5" in English.
export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(current === 'vi' ? 'vi-VN' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

export function errorText(code) {
  return ERRORS[current][code] ?? t('error.unknown', { code });
}

const ATTRIBUTES = [
  ['aria-label', 'i18nAriaLabel'],
  ['title', 'i18nTitle'],
  ['placeholder', 'i18nPlaceholder'],
];

export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const [attr, key] of ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.dataset[key]));
  }
}

// Fills a <select> with the languages and switches on change.
export function mountLanguagePicker(select) {
  select.replaceChildren(
    ...Object.entries(LANGUAGES).map(([code, name]) => new Option(name, code, false, code === current)),
  );
  select.addEventListener('change', () => setLanguage(select.value));
  onLanguageChange((lang) => {
    select.value = lang;
  });
}
