import { escapeHtml } from '../lib/html.ts';
import { catalogue, type Params } from './catalogue.ts';

/**
 * Who speaks on a public page or in the product's own mail: the `organisation` setting's parts
 * that every such page and mail names (the controller, where to write, its privacy notice).
 */
export interface Organisation {
  name: string;
  contactEmail: string | null;
  privacyNoticeUrl: string | null;
}

/** Markup a caller built itself, every value in it escaped: put into a string as it is. */
export interface Html {
  html: string;
}

/**
 * A catalogue string as HTML: its text and every plain value escaped, an `Html` value put in as
 * built (a link around an address). Catalogue strings hold no markup, so this is the one way a
 * sentence gets a link inside it.
 */
export function tHtml(lang: string, key: string, params: Record<string, string | number | Html> = {}): string {
  const marks: string[] = [];
  const plain: Params = {};
  // Each value becomes a marker no text holds (a private-use character and its index), swapped after escaping.
  for (const [k, v] of Object.entries(params)) {
    marks.push(typeof v === 'object' ? v.html : escapeHtml(v));
    plain[k] = `\uE000${marks.length - 1}\uE001`;
  }
  const text = escapeHtml(catalogue.t(lang, key, plain));
  return text.replace(/\uE000(\d+)\uE001/g, (_, i: string) => marks[Number(i)]!);
}

/** The lines that end every mail the product writes itself: who sent it, where to write, the privacy notice. */
export function mailFooter(lang: string, org: Organisation): string[] {
  return [
    '--',
    catalogue.t(lang, 'mail.footer.by', { organisation: org.name }),
    ...(org.contactEmail ? [catalogue.t(lang, 'mail.footer.contact', { email: org.contactEmail })] : []),
    ...(org.privacyNoticeUrl ? [catalogue.t(lang, 'mail.footer.privacy', { url: org.privacyNoticeUrl })] : []),
  ];
}
