import { declareTable } from '../datamap/datamap.declare.ts';

export const contactsDataMap = [
  declareTable({
    name: 'contacts',
    description: 'The people marketed to: identity, profile, minors and guardians, and the current consent level (the ledger holds its history). Custom fields are further columns, declared in custom_fields.',
    subjectLink: { kind: 'self', column: 'id' },
    purposes: ['requested', 'consent_request', 'transactional', 'subscription', 'marketing', 'profiling'],
    columns: {
      id: 'system.id',
      email: { category: 'contact.identity.email', personal: true },
      first_name: { category: 'contact.identity.name', personal: true },
      last_name: { category: 'contact.identity.name', personal: true },
      phone: { category: 'contact.identity.phone', personal: true },
      company: { category: 'contact.profile.company', personal: true },
      country: { category: 'contact.profile.country', personal: true },
      language: { category: 'contact.profile.language', personal: true },
      birth_date: { category: 'contact.profile.birth_date', personal: true },
      is_child: { category: 'contact.minor.flag', personal: true },
      guardian_id: { category: 'contact.minor.guardian', personal: true },
      guardian_consent: { category: 'consent.guardian', personal: true },
      consent_level: { category: 'consent.level', personal: true },
      created_at: 'system.time',
      updated_at: 'system.time',
    },
  }),
  declareTable({
    name: 'custom_fields',
    description: 'Custom contact fields defined by the installation: each is a column cf_<name> on contacts.',
    subjectLink: null,
    purposes: ['operations'],
    columns: {
      id: 'system.id',
      name: 'system.schema.name',
      label: { category: 'system.schema.label', freeText: true },
      type: 'system.schema.type',
      personal: 'system.schema.personal',
      column_name: 'system.schema.column',
      created_at: 'system.time',
    },
  }),
];
