import { declareTable } from '../../db/datamap.declare.ts';

export const contactRecordsDataMap = [
  declareTable({
    name: 'contacts',
    description:
      'The people marketed to: identity, profile, minors and guardians, and the current consent level (the ledger holds its ' +
      'history). Custom fields are further columns, declared in custom_fields.',
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
      time_zone: { category: 'contact.profile.time_zone', personal: true },
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
    name: 'contact_emails',
    description:
      'The address registry: each contact’s address by its match key (lower-cased whole), which makes an address one person’s. dup ' +
      '> 0 marks contacts that shared an address before addresses were compared so; they wait for an admin to merge them.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['requested', 'consent_request', 'transactional', 'subscription', 'marketing', 'profiling'],
    columns: {
      email_key: {
        category: 'contact.identity.email',
        personal: true,
        exported: false,
        description: 'the address lower-cased: contacts.email holds the written form, which is exported',
      },
      dup: { category: 'system.dedup', exported: false },
      contact_id: { category: 'system.ref.contact', personal: true, exported: false },
    },
  }),
];
