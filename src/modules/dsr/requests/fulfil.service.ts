import { AppError } from '../../../lib/errors.ts';
import type { Actor } from '../../audit/module.ts';
import type { ConsentService } from '../../consent/module.ts';
import type { ContactInput, ContactsService } from '../../contacts/module.ts';
import type { RequestsTable } from '../dsr.table.ts';
import type { RequestMailer } from './requests.mailer.ts';
import { type Compose, doneMessage, exportMessage, noDataMessage } from './requests.messages.ts';
import { isFinal, type DataRequest, type RequestType } from './requests.model.ts';
import type { RequestsService } from './requests.service.ts';

/** The erasure engine, as this service needs it. */
export interface Eraser {
  erase(
    target: { emails?: string[]; contactIds?: string[] },
    opts: { requestIds?: string[]; actor: Actor },
  ): Promise<{ complete: boolean; residue: string[]; tasks: { kind: 'residue' | 'review' }[] }>;
}

/** The residue tasks an erasure left on a case, as this service needs them. */
export interface ResidueTasks {
  residueOf(requestId: string): Promise<{ open: number; done: number }>;
}

/** Access exports behind an expiring link, as this service needs them. */
export interface AccessExporter {
  /** Refuses with `not_found` when nothing at all is held about the person. */
  createDownload(
    contactId: string | null,
    opts: { email?: string; requestId: string; actor: Actor },
  ): Promise<{ exportId: string; url: string; expiresAt: string; segmentsNotEvaluated: number }>;
}

export interface FulfilInput {
  /** Rectification only: the profile fields to correct. */
  changes?: ContactInput;
}

type Row = RequestsTable;

/** Work that ran but left something to do: the history note saying what. */
interface Incomplete {
  incomplete: string;
}

/**
 * Carries out a verified case: builds the export, erases, records the objection or applies the
 * correction, then completes the case. The requester is told by email, except after an erasure:
 * that message would write the address back into the database (the outbox).
 */
export class FulfilService {
  constructor(
    private readonly requests: RequestsService,
    private readonly contacts: ContactsService,
    private readonly consent: ConsentService,
    private readonly mailer: RequestMailer,
    private readonly eraser: Eraser,
    private readonly exporter: AccessExporter,
    private readonly residueTasks: ResidueTasks,
  ) {}

  async fulfil(id: string, input: FulfilInput, actor: Actor): Promise<DataRequest> {
    const row = await this.requests.row(id);
    if (isFinal(row.status)) throw new AppError('request_closed', `the request is ${row.status}`);
    if (row.status !== 'verified' && row.status !== 'in_progress')
      throw new AppError('request_not_verified', 'the requester has not confirmed the address yet');
    if (row.type === 'rectification' && !input.changes)
      throw new AppError('validation_failed', 'a rectification needs the changes to make', [
        { path: '/changes', message: 'required for rectification' },
      ]);
    if (row.type !== 'rectification' && input.changes)
      throw new AppError('validation_failed', 'changes apply to rectification requests only', [
        { path: '/changes', message: `not for ${row.type}` },
      ]);

    // An erasure that left residue is completed by the people who deal with it, not by erasing
    // again: the identifiers a new scan would need were erased with the person.
    if (row.type === 'erasure' && row.status === 'in_progress') {
      const t = await this.residueTasks.residueOf(id);
      if (t.open > 0)
        throw new AppError('erasure_residue_open', `${t.open} residue task${t.open === 1 ? ' is' : 's are'} still open on this case`);
      if (t.done > 0) {
        if (
          !(await this.requests.move(
            id,
            ['in_progress'],
            'completed',
            actor,
            `completed: the privacy officer resolved the ${t.done} residue task${t.done === 1 ? '' : 's'} the erasure left`,
          ))
        )
          throw new AppError('invalid_status_change', 'the request changed meanwhile; read it again');
        return this.requests.get(id);
      }
    }

    const contactId = await this.contactOf(row);
    if (row.status === 'verified') {
      const extra = contactId !== row.contact_id ? { contact_id: contactId } : {};
      if (!(await this.requests.move(id, ['verified'], 'in_progress', actor, null, extra)))
        throw new AppError('invalid_status_change', 'the request changed meanwhile; read it again');
    }
    let note: string | Incomplete;
    try {
      note = await this.work({ ...row, contact_id: contactId }, input, actor);
    } catch (e) {
      // The case stays in progress, so the work can be tried again; the history says it failed.
      await this.requests.note(id, actor, `fulfilment failed (${e instanceof AppError ? e.code : 'internal'})`);
      throw e;
    }
    // Not done while residue remains: the case stays in progress (flagged by the erasure), and says why.
    if (typeof note !== 'string') await this.requests.note(id, actor, note.incomplete);
    else await this.requests.move(id, ['in_progress'], 'completed', actor, note);
    return this.requests.get(id);
  }

  /** The contact the address belongs to now: one may have been created, or erased, since the case opened. */
  private async contactOf(row: Row): Promise<string | null> {
    if (row.contact_id) {
      const exists = await this.contacts.get(row.contact_id).then(
        () => true,
        (e: unknown) => (e instanceof AppError && e.code === 'not_found' ? false : Promise.reject(e)),
      );
      if (exists) return row.contact_id;
    }
    return row.email ? ((await this.contacts.findByEmail(row.email))?.id ?? null) : null;
  }

  private async work(row: Row, input: FulfilInput, actor: Actor): Promise<string | Incomplete> {
    const type = row.type as RequestType;
    const contactId = row.contact_id;
    if (type === 'erasure') {
      if (!row.email && !contactId) return 'no data held';
      const r = await this.eraser.erase(
        { ...(row.email ? { emails: [row.email] } : {}), ...(contactId ? { contactIds: [contactId] } : {}) },
        { requestIds: [row.id], actor },
      );
      const review = r.tasks.filter((t) => t.kind === 'review').length;
      const toLook = review
        ? `; ${review} review task${review === 1 ? '' : 's'} ask the privacy officer to look at text that may name the person`
        : '';
      if (r.complete) return `personal data erased (see the erasure receipt of this request)${toLook}`;
      const open = r.tasks.length - review;
      return {
        incomplete: (
          `erasure not complete: the person's identifiers remain in ${r.residue.join(', ')}; ${open} residue ` +
          `task${open === 1 ? '' : 's'} for the privacy officer${toLook}. The case is completed by fulfilling it again once the ` +
          `residue tasks are done.`
        ).slice(0, 1000),
      };
    }
    if (type === 'access' || type === 'portability') {
      // Without a contact, the address may still be held (messages sent to it, earlier cases): that is exported too.
      const d =
        contactId || row.email
          ? await this.exporter
              .createDownload(contactId, { ...(row.email ? { email: row.email } : {}), requestId: row.id, actor })
              .catch(nothingHeld)
          : null;
      if (!d) return this.tell(row, null, noDataMessage(type), 'no data held');
      // The export names the segments it could not evaluate; the history tells the officer there are some.
      const unknown = d.segmentsNotEvaluated
        ? `; ${d.segmentsNotEvaluated} segment${d.segmentsNotEvaluated === 1 ? '' : 's'} could not be evaluated (named in the export)`
        : '';
      return this.tell(
        row,
        contactId,
        exportMessage(type, d.url, d.expiresAt),
        `export ${d.exportId} prepared; link valid until ${d.expiresAt}${unknown}`,
      );
    }
    if (!contactId) return this.tell(row, null, noDataMessage(type), 'no data held');
    if (type === 'objection') {
      // Lowered under the row lock: a level read before it may be one a concurrent change replaced.
      await this.consent.capLevel(contactId, 1, { source: 'data_request', actor, notice: `Objection to processing (request ${row.id})` });
      return this.tell(
        row,
        contactId,
        doneMessage(type),
        'objection recorded: consent set to level 1 at most through the ledger; profiling stopped',
      );
    }
    const changes = input.changes!;
    // The child flag, birth date and guardian are consent: the consent module records their change.
    await this.contacts.update(contactId, changes, { source: 'data_request', actor });
    const fields = Object.keys(changes).flatMap((k) =>
      k === 'customFields' ? Object.keys(changes.customFields ?? {}).map((f) => `customFields.${f}`) : [k],
    );
    return this.tell(row, contactId, doneMessage(type), `rectified: ${fields.join(', ')}`);
  }

  /** Emails the answer and returns the history note, saying so when no answer could be sent. */
  private async tell(row: Row, contactId: string | null, message: Compose, note: string): Promise<string> {
    if (!row.email) return `${note}; no address to answer to`;
    const d = await this.mailer.send(row.email, contactId, message);
    return d.sent ? `${note}; requester told by email` : `${note}; requester not told (${d.reason})`;
  }
}

/** The exporter's answer when nothing is held about the person: no link, a no-data reply instead. */
function nothingHeld(e: unknown): null {
  if (e instanceof AppError && e.code === 'not_found') return null;
  throw e;
}
