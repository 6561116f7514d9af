import { declareTable } from '../../db/datamap.declare.ts';

const personal = (category: string) => ({ category, personal: true, erase: 'null' as const });
const kept = (category: string) => ({ category, erase: 'keep' as const, exported: true });
/** Staff text on the person's own case: on erasure their identifiers in it are replaced by a marker. */
const caseText = (category: string, exported: boolean, description: string) => ({
  category,
  erase: 'redact' as const,
  exported,
  freeText: true,
  description,
});

export const dsrDataMap = [
  declareTable({
    name: 'requests',
    description:
      'Data-subject requests (cases) with their legal deadline. The case outlives an erasure, holding only the keyed hash of the address.',
    subjectLink: { kind: 'email', column: 'email' },
    flag: { flag: 'flagged', detail: 'flag_detail' },
    purposes: ['legal_obligation'],
    rowErase: 'keep',
    columns: {
      id: kept('system.id'),
      type: kept('dsr.type'),
      email: personal('contact.identity.email'),
      email_hmac: {
        category: 'dsr.requester_hash',
        erase: 'keep',
        exported: false,
        description: 'HMAC of the normalised address under the installation secret',
      },
      contact_id: personal('system.ref.contact'),
      status: kept('dsr.status'),
      channel: kept('dsr.channel'),
      owner_id: { category: 'system.ref.user', erase: 'keep', exported: false },
      received_at: kept('dsr.time'),
      deadline: kept('dsr.deadline'),
      extended_at: kept('dsr.time'),
      extension_reason: caseText(
        'dsr.extension_reason',
        true,
        'staff text about the extension; the person’s identifiers are redacted on erasure',
      ),
      verified_at: kept('dsr.time'),
      completed_at: kept('dsr.time'),
      flagged: kept('dsr.flag'),
      flag_detail: caseText(
        'dsr.flag',
        false,
        'names tables, columns and tasks, never values; redacted on erasure like any text on the case',
      ),
      created_at: kept('system.time'),
      updated_at: kept('system.time'),
    },
  }),
  declareTable({
    name: 'request_events',
    description:
      'Status history of each case, appended and never changed, except that erasure redacts the person’s identifiers in the notes ' +
      'of their own cases (and records that it did, without the values).',
    subjectLink: null,
    partOf: { table: 'requests', column: 'request_id' },
    purposes: ['legal_obligation'],
    columns: {
      id: 'system.id',
      request_id: 'system.ref.request',
      at: 'system.time',
      status: 'dsr.status',
      actor_type: 'audit.actor.type',
      actor_id: 'audit.actor.id',
      note: caseText('dsr.note', false, 'staff note (the note API refuses addresses; names and numbers are caught on erasure)'),
    },
  }),
  declareTable({
    name: 'tasks',
    description:
      'Tasks for staff, such as the privacy officer’s work on a request or on what an erasure left behind; they name the contact ' +
      'id, the request type, and for residue the receipt, location and row, never a value.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    partOf: { table: 'requests', column: 'request_id' },
    purposes: ['legal_obligation'],
    rowErase: 'keep',
    columns: {
      id: kept('system.id'),
      request_id: kept('system.ref.request'),
      contact_id: personal('system.ref.contact'),
      type: kept('task.type'),
      title: caseText('task.title', true, 'names the kind of work; redacted on erasure in the person’s own tasks'),
      status: kept('task.status'),
      assignee_id: { category: 'system.ref.user', erase: 'keep', exported: false },
      due_date: kept('task.due'),
      created_at: kept('system.time'),
      updated_at: kept('system.time'),
      completed_at: kept('system.time'),
      receipt_id: { category: 'system.ref.receipt', erase: 'keep', exported: false },
      location: {
        category: 'dsr.residue.location',
        erase: 'keep',
        exported: false,
        description: 'where an erasure left residue: table.column, or a file or statistics name',
      },
      row_id: { category: 'dsr.residue.row', erase: 'keep', exported: false, description: 'the row of that table, by its key' },
    },
  }),
  declareTable({
    name: 'erasure_receipts',
    description: 'What each erasure removed: tables and row counts, who and when; no personal data.',
    subjectLink: null,
    purposes: ['legal_obligation'],
    columns: {
      id: 'system.id',
      request_id: 'system.ref.request',
      at: 'system.time',
      actor_type: 'audit.actor.type',
      actor_id: 'audit.actor.id',
      tables: 'dsr.receipt.counts',
      residue: 'dsr.receipt.residue',
      storage_status: {
        category: 'dsr.receipt.storage',
        description: 'pending | purged | failed: whether the person’s bytes are out of the database’s live files',
      },
      storage_purged_at: 'system.time',
      storage_verification: {
        category: 'dsr.receipt.storage',
        description: 'what the storage purge rewrote and checked, and how; names relations, never values',
      },
    },
  }),
  declareTable({
    name: 'storage_purges',
    description: 'The relations (PostgreSQL partitions and small tables) each erasure’s storage purge rewrites, and when that was done.',
    subjectLink: null,
    purposes: ['legal_obligation'],
    columns: {
      receipt_id: 'system.ref.receipt',
      relation: 'system.schema.name',
      due_at: 'system.time',
      done_at: 'system.time',
      outcome: { category: 'dsr.receipt.storage', description: 'what the rewrite and the page check found; names relations, never values' },
    },
  }),
  declareTable({
    name: 'storage_purge_terms',
    description:
      'Keyed fingerprints (under the installation secret) of an erased person’s identifiers, kept only until the storage purge has ' +
      'looked for them in the rewritten pages.',
    subjectLink: null,
    purposes: ['legal_obligation'],
    columns: {
      receipt_id: 'system.ref.receipt',
      length: 'dsr.purge.fingerprint',
      prefilter: {
        category: 'dsr.purge.fingerprint',
        description: 'a rolling hash with a secret base: a fast first test for a window of bytes',
      },
      digest: {
        category: 'dsr.purge.fingerprint',
        description: 'HMAC of the identifier under the installation secret, as a suppression keeps an address',
      },
    },
  }),
  declareTable({
    name: 'exports',
    description: 'Access and portability exports waiting behind an expiring download link.',
    // By address, so a requester no contact holds can be answered too; erasure also finds a copy by contact id.
    subjectLink: { kind: 'email', column: 'email' },
    purposes: ['legal_obligation'],
    retention: { after: 'P7D', from: 'created_at' },
    columns: {
      id: { category: 'system.id', exported: false },
      request_id: { category: 'system.ref.request', exported: false },
      email: { category: 'contact.identity.email', personal: true, exported: false },
      contact_id: { category: 'system.ref.contact', personal: true, exported: false },
      json: {
        category: 'dsr.export.copy',
        personal: true,
        exported: false,
        description: 'a copy of everything exported; not exported again',
      },
      html: { category: 'dsr.export.copy', personal: true, exported: false },
      created_at: { category: 'system.time', exported: false },
      expires_at: { category: 'system.time', exported: false },
    },
  }),
];
