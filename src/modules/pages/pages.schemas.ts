import { Type } from 'typebox';
import { PageQuery } from '../../http/pagination.ts';
import { Id, Obj } from '../../http/schemas.ts';
import { MAX_INTRO, MAX_TITLE, PAGE_TYPES, SLUG } from './pages.model.ts';

export const PAGE_RULES =
  '`type` is `landing` (shows a form: `formId`, required, names a live form), `subscription_center` (the person’s ' +
  'subscription center, from the `?t=` link of a message), `forward` (forward a message to a friend, from its `?t=` link) or ' +
  '`data_request` (access, rectification, erasure or objection, over the public intake); it cannot change. `slug` is the ' +
  'address, `/p/{slug}`: lower-case letters, digits and inner hyphens, 1–64, unique (409 `conflict` when taken). `title` ' +
  '1–200; `intro` Markdown up to 20,000 characters (paragraphs, `#`–`###` headings, `*em*`, `**strong**`, `-`/`1.` lists, ' +
  'links to http, https and mailto; everything else is shown as text); `language` a language of the message catalogue (`en`, ' +
  '`de`, …; default `en`); `published` (default false: the address answers the generic 404 until it is published). Anything ' +
  'invalid is 400 `page_invalid` with `details` `{path: "/<field>", message}` for each problem.';

const fields = {
  type: Type.Enum([...PAGE_TYPES]),
  slug: Type.String({ minLength: 1, maxLength: 64, pattern: SLUG.source }),
  title: Type.String({ minLength: 1, maxLength: MAX_TITLE }),
  intro: Type.String({ maxLength: MAX_INTRO, description: 'Markdown (the safe subset)' }),
  language: Type.String({ minLength: 2, maxLength: 35 }),
  formId: Type.Union([Id, Type.Null()], { description: 'a landing page’s form; null for the other types' }),
  published: Type.Boolean(),
};

export const PageInputSchema = Obj({
  type: fields.type,
  slug: fields.slug,
  title: fields.title,
  intro: Type.Optional(fields.intro),
  language: Type.Optional(fields.language),
  formId: Type.Optional(fields.formId),
  published: Type.Optional(fields.published),
});

export const PagePatchSchema = Obj(
  {
    type: Type.Optional(Type.Enum([...PAGE_TYPES], { description: 'accepted only unchanged' })),
    slug: Type.Optional(fields.slug),
    title: Type.Optional(fields.title),
    intro: Type.Optional(fields.intro),
    language: Type.Optional(fields.language),
    formId: Type.Optional(fields.formId),
    published: Type.Optional(fields.published),
  },
  { minProperties: 1 },
);

export const PageSchema = Obj({
  id: Id,
  type: fields.type,
  slug: Type.String(),
  title: Type.String(),
  intro: Type.String(),
  language: Type.String(),
  formId: Type.Union([Id, Type.Null()]),
  published: Type.Boolean(),
  url: Type.String({ description: 'the page’s public address: publicBaseUrl + /p/{slug}' }),
  introHtml: Type.String({ description: 'the intro as the page shows it (the safe Markdown renderer’s HTML)' }),
  views: Type.Integer({ description: 'GETs of the published page, counted anonymously' }),
  submissions: Type.Integer({ description: 'accepted submissions of its form, counted anonymously' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const PageListQuery = Obj({ ...PageQuery });
export const PreviewSchema = Obj({ data: Obj({ html: Type.String({ description: 'the whole page, as /p/{slug} would serve it' }) }) });
