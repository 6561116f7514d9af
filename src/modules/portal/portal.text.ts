import { t, tOr } from '../../i18n/catalogue.ts';

/**
 * The subscription center's and the portal's words come from the message catalogue (`center.*`,
 * `portal.*` keys in locales/). What is composed here is what the ledger records: the notice the
 * page showed, in the language it showed it.
 */

/** The notice recorded with a level chosen on the subscription center: the page's text, then the level's name and description. */
export const levelNotice = (lang: string, level: { name: string; description: string }): string =>
  `${t(lang, 'center.levelNotice')}\n${level.name}: ${level.description}`;

/** The notice recorded with a list joined or left there: the page's text, then the list's name. */
export const listNotice = (lang: string, list: string): string => `${t(lang, 'center.listNotice')}\n${list}`;

/** How a consent change came about, in words ("the subscription center"); a source the catalogue does not name, as it is. */
export const sourceWord = (lang: string, source: string): string => tOr(lang, `consent.source.${source}`, source.replace(/_/g, ' '));
