import { declareTable } from '../datamap/datamap.declare.ts';

export const segmentsDataMap = [
  declareTable({
    name: 'segments',
    description: 'Segment definitions: a name, dynamic or static, and the filter tree. No personal data.',
    subjectLink: null,
    purposes: ['marketing'],
    columns: { id: 'system.id', name: 'segment.name', kind: 'segment.kind', filter: 'segment.filter', snapshot_at: 'system.time', created_at: 'system.time', updated_at: 'system.time' },
  }),
  declareTable({
    name: 'segment_members',
    description: 'Members of static segments, as of the snapshot time.',
    subjectLink: { kind: 'contact', column: 'contact_id' },
    purposes: ['marketing'],
    columns: { segment_id: { category: 'contact.segment', personal: true }, contact_id: { category: 'system.ref.contact', personal: true } },
  }),
];
