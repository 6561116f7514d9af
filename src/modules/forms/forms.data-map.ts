import { declareTable } from '../../db/datamap.declare.ts';

export const formsDataMap = [
  declareTable({
    name: 'forms',
    description: 'Sign-up and preference forms: their name, whether they ask for double opt-in, and the sites allowed to embed them.',
    subjectLink: null,
    purposes: ['subscription'],
    columns: {
      id: 'system.id',
      name: { category: 'form.name', freeText: true },
      double_opt_in: 'form.double_opt_in',
      allowed_origins: { category: 'form.allowed_origins', description: 'A JSON array of web origins: design data, no person’s.' },
      current_version: 'form.version',
      created_at: 'system.time',
      updated_at: 'system.time',
      archived_at: 'system.time',
    },
  }),
  declareTable({
    name: 'form_versions',
    description: 'Each version of a form’s fields, labels, validation and consent choices with their notice texts, as shown to people.',
    subjectLink: null,
    purposes: ['subscription'],
    columns: {
      form_id: 'system.ref.form',
      version: 'form.version',
      fields: {
        category: 'form.fields',
        freeText: true,
        description: 'The field definitions (JSON): design data written by staff; no person’s data.',
      },
      created_at: 'system.time',
    },
  }),
  // Kept two years, as the sends: the record of where a contact came from and which version of a
  // form they saw; the consent evidence itself is the ledger's, which outlives it.
  declareTable({
    name: 'form_submissions',
    description: 'Who submitted which version of which form, when, from which network and browser family.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['subscription'],
    retention: { after: 'P2Y', from: 'created_at' },
    columns: {
      id: 'system.id',
      form_id: { category: 'contact.form.form', personal: true },
      version: { category: 'contact.form.version', personal: true },
      contact_id: { category: 'system.ref.contact', personal: true },
      created_at: { category: 'contact.form.time', personal: true },
      ip_prefix: { category: 'contact.evidence.ip_prefix', personal: true },
      user_agent: { category: 'contact.evidence.user_agent', personal: true },
      confirmed_at: { category: 'contact.form.time', personal: true },
    },
  }),
  // Gone once applied (by the submission's job, or the person's confirmation of a double opt-in), and by the daily
  // retention once expired: the address and the changes wait only as long as the link works.
  declareTable({
    name: 'form_confirmations',
    description:
      'A submission’s changes waiting to be applied: for its job, or for the person to confirm a double opt-in (the link’s hash).',
    subjectLink: { kind: 'email', column: 'email' },
    purposes: ['subscription'],
    retention: { after: 'PT0S', from: 'expires_at' },
    columns: {
      id: 'system.id',
      submission_id: { category: 'system.ref.form_submission', personal: true },
      token_hash: { category: 'system.token_hash', personal: true, exported: false },
      email: { category: 'contact.identity.email', personal: true },
      changes: { category: 'contact.form.pending_changes', personal: true, freeText: true },
      created_at: { category: 'contact.form.time', personal: true },
      expires_at: { category: 'contact.form.time', personal: true },
    },
  }),
  // Statistics only: which page or form, which day, how many views and accepted submissions. No contact, no
  // address, no network: erasing a person never changes them, and they need no retention of their own.
  declareTable({
    name: 'page_counters',
    description:
      'Anonymous daily counts per page (views, accepted submissions) and per form (views of pages showing it, accepted ' +
      'submissions however posted). No person’s data: no contact, address or network is counted by.',
    subjectLink: null,
    purposes: ['subscription'],
    columns: {
      kind: 'stats.type',
      target_id: 'stats.ref',
      day: 'stats.day',
      views: 'stats.count',
      submissions: 'stats.count',
    },
  }),
];
