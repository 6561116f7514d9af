import { declareTable } from '../../db/datamap.declare.ts';

const content = (category: string, description?: string) => ({
  category,
  personal: true,
  erase: 'null' as const,
  ...(description ? { description } : {}),
});
const kept = (category: string, description?: string) => ({
  category,
  erase: 'keep' as const,
  exported: true,
  ...(description ? { description } : {}),
});

export const consentDataMap = [
  declareTable({
    name: 'notices',
    description:
      'Each distinct notice text shown when consent was asked (a form version, a banner, an API caller text), stored once by its hash.',
    subjectLink: null,
    purposes: ['legal_obligation'],
    columns: {
      id: 'system.id',
      hash: 'consent.notice.hash',
      text: {
        category: 'consent.notice.text',
        freeText: true,
        description: 'evidence the ledger refers to by hash, so never rewritten: a person named in it becomes a task',
      },
      created_at: 'system.time',
    },
  }),
  declareTable({
    name: 'consent_ledger',
    description:
      'Append-only evidence of every consent change (levels, list joins and leaves, the child flag, birth date, guardian link and ' +
      'guardian consent), hash-chained. Erasure turns a person’s entries into stubs that keep only the hashes, so the chain still ' +
      'verifies, and appends an erasure record naming which entries it made stubs.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['legal_obligation'],
    rowErase: 'null',
    columns: {
      id: kept('system.id'),
      seq: kept('consent.ledger.sequence'),
      contact_id: content('system.ref.contact'),
      kind: kept('consent.change.kind'),
      list_id: content('consent.change.list'),
      old_value: content('consent.change.old'),
      new_value: content('consent.change.new'),
      source: content('consent.change.source'),
      actor_type: content('consent.change.actor'),
      actor_id: content('consent.change.actor'),
      notice_hash: content('consent.notice.hash'),
      evidence_ip: content('consent.evidence.ip'),
      evidence_ua: content('consent.evidence.user_agent'),
      nonce: content('consent.ledger.nonce'),
      at: kept('consent.change.time'),
      content_hash: kept('consent.ledger.hash', 'sha256 of the entry content, nonce included; kept on erasure'),
      prev_hash: kept('consent.ledger.hash'),
      entry_hash: kept('consent.ledger.hash'),
      erased_at: kept('system.time', 'set when the entry became a stub'),
      old_text: content('consent.change.old'),
      new_text: content('consent.change.new'),
      covers: kept(
        'consent.ledger.erasure_cover',
        'on an erasure record: the seq ranges of the entries that erasure made stubs (no personal data)',
      ),
      hash_version: kept(
        'consent.ledger.hash_version',
        'which fields the content hash covers (1: entries written before old_text, new_text and covers existed; 2: before ' +
          'original_at and original_source existed)',
      ),
      original_at: content('consent.change.original_time', 'imported history: when another system recorded the consent'),
      original_source: content('consent.change.original_source', 'imported history: where another system says it was given'),
    },
  }),
  declareTable({
    name: 'ledger_head',
    description:
      'The sequence number and hash of the newest ledger entry, with a MAC under a key the database never holds, so removing the ' +
      'newest entries and rewriting the head is detected.',
    subjectLink: null,
    purposes: ['legal_obligation'],
    columns: {
      id: 'system.id',
      seq: 'consent.ledger.sequence',
      entry_hash: 'consent.ledger.hash',
      updated_at: 'system.time',
      mac: {
        category: 'consent.ledger.head_mac',
        description: 'HMAC of seq and entry_hash under the ledger key, which is kept outside the database',
      },
    },
  }),
];
