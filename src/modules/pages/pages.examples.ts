import type { Page, PageInput } from './pages.model.ts';

const FORM_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e60';

export const PAGE_CREATE: PageInput = {
  type: 'landing',
  slug: 'spring-bread',
  title: 'Spring bread news',
  intro:
    'Fresh from our ovens: **new loaves** every week.\n\n- seasonal recipes\n- opening hours\n\nSee [our shop](https://shop.example.com).',
  language: 'en',
  formId: FORM_ID,
  published: true,
};

export const PAGE: Page = {
  id: '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e70',
  type: 'landing',
  slug: 'spring-bread',
  title: 'Spring bread news',
  intro: PAGE_CREATE.intro!,
  language: 'en',
  formId: FORM_ID,
  published: true,
  url: 'https://assent.example.org/p/spring-bread',
  introHtml:
    '<p>Fresh from our ovens: <strong>new loaves</strong> every week.</p>\n<ul>\n<li>seasonal recipes</li>\n<li>opening hours</li>\n' +
    '</ul>\n<p>See <a href="https://shop.example.com" rel="noopener noreferrer">our shop</a>.</p>',
  views: 412,
  submissions: 37,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
};
