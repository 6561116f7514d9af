import type { PageType } from './types';

/** Each page type in words, with the sentence that says what it is for. */
export const PAGE_TYPES: readonly { value: PageType; label: string; description: string }[] = [
  {
    value: 'landing',
    label: 'Landing page',
    description: 'Shows one of your forms with your words above it: people sign up there.',
  },
  {
    value: 'subscription_center',
    label: 'Subscription centre',
    description: 'Opened from the link in your emails: a person changes their consent and lists, or leaves, without a password.',
  },
  {
    value: 'forward',
    label: 'Forward to a friend',
    description: 'Opened from the link in an email: a person sends it on to a friend, whose address is used for that one email.',
  },
  {
    value: 'data_request',
    label: 'Data request',
    description: 'Anyone asks for a copy of what you hold about them, or for it to be corrected or erased.',
  },
];

export const typeWords = (t: string): string => PAGE_TYPES.find((p) => p.value === t)?.label ?? t;

/**
 * The languages of the public pages' message catalogue (locales/*.json): the page's own words are
 * the marketer's, the catalogue's (buttons, errors) follow the language chosen here.
 */
export const LANGUAGES: readonly { value: string; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch (German)' },
];

/** A URL slug from a title: "Spring Sale 2026!" → "spring-sale-2026" (the API's rule: a-z, 0-9 and inner hyphens, up to 64). */
export function slugFrom(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
