import type { Db } from '../database.ts';
import { csvLine } from '../../lib/csv.ts';
import { listContacts } from './contacts.queries.ts';
import type { ContactsService } from './contacts.service.ts';
import { readValue } from './custom-fields.model.ts';
import type { ContactsTable } from '../contact-records/module.ts';

const EXPORT_PAGE = 5000;

/** The export's columns: the fixed ones, with details the level's name and the lists, then each custom field, then the times. */
export function exportHeader(customFields: readonly string[], withDetails: boolean): string[] {
  return [
    ...FIXED,
    ...(withDetails ? ['consentLevelName', 'lists'] : []),
    ...customFields.map((f) => `customFields.${f}`),
    'createdAt',
    'updatedAt',
  ];
}

const FIXED = [
  'id',
  'email',
  'firstName',
  'lastName',
  'phone',
  'company',
  'country',
  'language',
  'timeZone',
  'birthDate',
  'isChild',
  'guardianId',
  'guardianConsent',
  'consentLevel',
];

/**
 * Contacts as CSV, read page by page in id order so memory stays flat whatever the count. The
 * header uses the import's field names, so an export imports back as is (id, guardian and
 * timestamps are read-only there). `isChild` is the stored flag, not the one derived from the
 * birth date, so a round trip does not freeze today's age into the flag.
 */
/** Pages of a segment's members in id order: what the segments module offers (dynamic or static alike). */
export interface SegmentPages {
  get(id: string): Promise<unknown>;
  members(id: string, limit: number, after?: string): Promise<ContactsTable[]>;
}

/**
 * Columns a reader of the export wants beside the stored values, from modules above this one (the
 * HTTP export adds them; the CLI's export stays as it was): the consent level's name from the
 * settings, and the names of the lists each contact is on.
 */
export interface ExportDetails {
  levelNames(): Promise<ReadonlyMap<number, string>>;
  listNames(contactIds: string[]): Promise<ReadonlyMap<string, readonly string[]>>;
}

/** How the list names of one contact share a cell: a separator no list name is likely to hold, and a spreadsheet splits on. */
export const LIST_SEPARATOR = '; ';

export class ExportService {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactsService,
    private readonly segments: SegmentPages,
    private readonly details?: ExportDetails,
  ) {}

  /**
   * Yields the CSV a page at a time: the header first, then one chunk per page. With a
   * segment, only its members (a dynamic one evaluated page by page as the export reads; an
   * unknown segment fails before the header is written).
   */
  async *csv(opts: { segmentId?: string; pageSize?: number } = {}): AsyncGenerator<string> {
    const pageSize = opts.pageSize ?? EXPORT_PAGE;
    const segmentId = opts.segmentId;
    if (segmentId !== undefined) await this.segments.get(segmentId);
    const page = (after: string | undefined) =>
      segmentId === undefined ? listContacts(this.db.kysely, {}, pageSize, after) : this.segments.members(segmentId, pageSize, after);
    const { fields } = await this.contacts.context();
    const details = this.details;
    const levelNames = details ? await details.levelNames() : null;
    yield csvLine(
      exportHeader(
        fields.map((f) => f.name),
        details !== undefined,
      ),
    );
    let after: string | undefined;
    for (;;) {
      const rows = await page(after);
      if (rows.length === 0) return;
      let chunk = '';
      const lists = details ? await details.listNames(rows.map((r) => r.id)) : null;
      for (const r of rows) {
        const custom = fields.map((f) => readValue(f, r[f.column as `cf_${string}`]));
        chunk += csvLine([
          r.id,
          r.email,
          r.first_name,
          r.last_name,
          r.phone,
          r.company,
          r.country,
          r.language,
          r.time_zone,
          r.birth_date,
          r.is_child === 1,
          r.guardian_id,
          r.guardian_consent === 1,
          r.consent_level,
          ...(levelNames && lists ? [levelNames.get(r.consent_level) ?? '', (lists.get(r.id) ?? []).join(LIST_SEPARATOR)] : []),
          ...custom,
          r.created_at,
          r.updated_at,
        ]);
      }
      yield chunk;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}
