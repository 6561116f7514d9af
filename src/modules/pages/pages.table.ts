export interface PagesTable {
  id: string;
  /** The page's address: /p/{slug}. Unique. */
  slug: string;
  /** `landing`, `subscription_center`, `forward` or `data_request`; fixed once made. */
  type: string;
  title: string;
  /** Markdown, rendered safely (lib/markdown.ts) when shown. */
  intro: string;
  language: string;
  /** A landing page's form; null for the other types, and once the form is deleted. */
  form_id: string | null;
  published: number;
  created_at: string;
  updated_at: string;
}
