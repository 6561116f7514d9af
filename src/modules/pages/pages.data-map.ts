import { declareTable } from '../../db/datamap.declare.ts';

export const pagesDataMap = [
  declareTable({
    name: 'pages',
    description: 'Public pages served by Assent at /p/{slug}: their type, title, intro text, language and form. Written by staff.',
    subjectLink: null,
    purposes: ['subscription'],
    columns: {
      id: 'system.id',
      slug: 'page.slug',
      type: 'page.type',
      title: { category: 'page.title', freeText: true },
      intro: { category: 'page.intro', freeText: true, description: 'Markdown written by staff: design data, no person’s.' },
      language: 'page.language',
      form_id: 'system.ref.form',
      published: 'page.published',
      created_at: 'system.time',
      updated_at: 'system.time',
    },
  }),
];
