import { sha256 } from '../../lib/crypto.ts';
import { signToken, verifyToken } from '../../lib/signed.ts';

/** The hidden `form` field's purpose: a signed token no other field or link is accepted as. */
const PURPOSE = 'page-form';
/** Long enough to read a page and fill its form; short enough that a copied field soon stops working. */
export const FORM_TTL_MS = 2 * 3600_000;

/**
 * The hidden `form` field of a page's form: signed with the installation secret, bound to the
 * page (and to the person's link, for the pages opened by one), valid two hours. A site elsewhere
 * cannot make one, and one page's field is refused on another. With the Origin check (the
 * portal's `sameOrigin`) it keeps other sites from posting a page's form in a visitor's name.
 */
export function formField(key: Buffer, pageId: string, link: string | null, now: Date): string {
  return signToken(key, PURPOSE, bindingOf(pageId, link), new Date(now.getTime() + FORM_TTL_MS));
}

export function formFieldValid(key: Buffer, pageId: string, link: string | null, field: unknown, now: Date): boolean {
  if (typeof field !== 'string') return false;
  const t = verifyToken(key, PURPOSE, field, now);
  return t.ok && t.subject === bindingOf(pageId, link);
}

const bindingOf = (pageId: string, link: string | null) => (link === null ? pageId : `${pageId}/${sha256(link)}`);
