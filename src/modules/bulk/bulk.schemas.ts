import { type TProperties, Type } from 'typebox';
import { Data, Id, Obj } from '../../http/schemas.ts';
import { SourceSchema } from '../consent/module.ts';
import { HIGHEST_LEVEL, LOWEST_LEVEL } from '../../lib/consent-levels.ts';
import { MAX_IDS } from './bulk.model.ts';

/** Whom a bulk action covers: exactly one of the two (checked by the route, which names the fields). */
const TargetFields = {
  contactIds: Type.Optional(
    Type.Array(Id, {
      minItems: 1,
      maxItems: MAX_IDS,
      description:
        `the contacts, by id (1 to ${MAX_IDS.toLocaleString('en')}; a ` +
        `repeated id counts once, an id naming no contact is counted as ` +
        `missing)`,
    }),
  ),
  segmentId: Type.Optional(Type.Unsafe<string>({ ...Id, description: 'a saved segment: its members when the work reaches them' })),
};

export const bulkBody = <P extends TProperties>(props: P, description: string) =>
  Obj({ ...TargetFields, ...props }, { description: `${description} Name the contacts with contactIds or segmentId, not both.` });

export const ListBulkBody = bulkBody(
  { source: Type.Optional(SourceSchema) },
  'The contacts to change, and the source the ledger records (default api).',
);

const NoticeRef = Type.Union([
  Type.String({ minLength: 1, maxLength: 20_000, description: 'the notice text shown' }),
  Obj({ id: Type.String({ maxLength: 36 }) }),
]);

export const ConsentBulkBody = bulkBody(
  {
    level: Type.Integer({ format: 'int32', minimum: LOWEST_LEVEL, maximum: HIGHEST_LEVEL }),
    source: SourceSchema,
    notice: Type.Optional(NoticeRef),
  },
  'The level to set, the source and notice the ledger records with each change.',
);

export const ErasureBulkBody = bulkBody(
  {
    note: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'How the request was established (written on every case; no email addresses)',
    }),
  },
  'Whose data to erase, and the note each case records.',
);

const count = (description: string) => Type.Integer({ minimum: 0, description });
const total = count('contacts covered: distinct ids named, or the segment members gone through');
const missing = count('ids that name no contact (never one, or erased)');

export const ListAddCounts = Obj({ total, added: count('contacts that joined'), unchanged: count('already on the list'), missing });
export const ListRemoveCounts = Obj({ total, removed: count('contacts that left'), unchanged: count('not on the list'), missing });
export const ConsentCounts = Obj({
  total,
  changed: count('contacts whose level changed'),
  unchanged: count('already at the level (recorded again only with a notice, as a re-confirmation)'),
  refused: count('below the level, for a role that may only lower levels (a withdrawal): left as they were'),
  missing,
});
export const ErasureCounts = Obj({
  total,
  erased: count('erased completely, each with its case and receipt'),
  incomplete: count('erased with residue left: the case stays in progress with residue tasks'),
  missing,
  uncertain: count('a job run died during the erasure: not begun again; its case says how far it came'),
});

export const Accepted = Data(
  Obj({
    jobId: Type.Unsafe<string>({
      ...Id,
      description: 'follow it at GET /api/v1/jobs/{jobId}; its result has the counts a 200 answer gives',
    }),
  }),
);
