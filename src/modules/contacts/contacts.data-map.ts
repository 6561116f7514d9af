import { declareTable } from '../../db/datamap.declare.ts';

export const contactsDataMap = [
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
  declareTable({
    name: 'import_uploads',
    description:
      'A CSV file uploaded to POST /api/v1/imports that runs as a job, waiting for the job to read it. It holds the personal ' +
      'data of everyone in the file, unparsed: an erasure cannot find a person inside it, so the row is deleted as soon as its job ' +
      'ends (done or failed) and by retention after one day whatever became of the job.',
    subjectLink: null,
    purposes: ['operations'],
    retention: { after: 'P1D', from: 'created_at' },
    columns: {
      job_id: 'system.ref.job',
      content: {
        category: 'contact.import.file',
        personal: true,
        description: 'the file as text (UTF-8 bytes): contacts as the uploader had them, read by the job only',
      },
      created_at: 'system.time',
    },
  }),
  declareTable({
    name: 'import_rejects',
    description:
      'The lines an import job rejected, by number with the reason (which names columns, never cell values), for ' +
      'GET /api/v1/imports/{jobId}/rejected; kept as long as the job.',
    subjectLink: null,
    purposes: ['operations'],
    retention: { after: 'P14D', from: 'created_at' },
    columns: {
      job_id: 'system.ref.job',
      line: 'system.import.line',
      reason: {
        category: 'system.import.reason',
        freeText: true,
        description: 'column names and rules; checked like free text on erasure',
      },
      created_at: 'system.time',
    },
  }),
];
