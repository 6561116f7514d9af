import { declareTable } from '../../db/datamap.declare.ts';

export const segmentsDataMap = [
  declareTable({
    name: 'segments',
    description:
      'Segment definitions: a name and description, dynamic or static, and the filter tree. All are typed by marketers and may name ' +
      'someone; an erasure replaces the person’s identifiers in the filter and flags the segment.',
    subjectLink: null,
    flag: { flag: 'flagged', detail: 'flag_detail' },
    purposes: ['marketing'],
    columns: {
      id: 'system.id',
      name: { category: 'segment.name', freeText: true },
      description: { category: 'segment.description', freeText: true },
      kind: 'segment.kind',
      filter: {
        category: 'segment.filter',
        freeText: true,
        erase: 'redact',
        description: 'JSON; on erasure a value naming the person is replaced by a marker, so the filter stays valid',
      },
      snapshot_at: 'system.time',
      created_at: 'system.time',
      updated_at: 'system.time',
      flagged: 'segment.flag',
      flag_detail: { category: 'segment.flag', description: 'what an erasure did or found here (columns, receipt, tasks), never a value' },
    },
  }),
  declareTable({
    name: 'segment_members',
    description: 'Members of static segments, as of the snapshot time.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['marketing'],
    columns: {
      segment_id: { category: 'contact.segment', personal: true },
      contact_id: { category: 'system.ref.contact', personal: true },
    },
  }),
];
