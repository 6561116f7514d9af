import type { Form, FormInput } from './forms.service.ts';

export const FORM_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e60';
const LIST_ID = '01938a6e-4f2b-7c3d-9e8f-0a1b2c3d4e61';

export const FORM_CREATE: FormInput = {
  name: 'Newsletter sign-up',
  doubleOptIn: true,
  allowedOrigins: ['https://shop.example.com'],
  fields: [
    { name: 'email', label: 'Your email address', maps: 'email', required: true, type: 'email' },
    { name: 'first_name', label: 'First name', maps: 'firstName', maxLength: 100 },
    {
      name: 'consent',
      label: 'What may we send you?',
      maps: 'consentLevel',
      type: 'radio',
      levels: [
        { level: 3, notice: 'The newsletters you choose, until you unsubscribe.' },
        { level: 4, notice: 'Newsletters and offers by email, until you unsubscribe.' },
      ],
    },
    { name: 'topics', label: 'Spring bread news', maps: 'lists', type: 'checkbox', listIds: [LIST_ID] },
  ],
};

export const FORM: Form = {
  id: FORM_ID,
  name: FORM_CREATE.name,
  doubleOptIn: true,
  allowedOrigins: ['https://shop.example.com'],
  version: 1,
  fields: FORM_CREATE.fields,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
  archivedAt: null,
};
