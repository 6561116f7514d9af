import type { Kysely } from 'kysely';
import { HIGHEST_LEVEL, isConsentLevel, LOWEST_LEVEL } from '../../lib/consent-levels.ts';
import { AppError } from '../../lib/errors.ts';
import type { Database } from '../database.ts';
import { type ChildChange, type ChildState, childStateChange, childStateOf } from './child-state.ts';
import type { ChangeContext } from './consent.model.ts';
import type { EntryDraft, LedgerService } from './ledger.service.ts';

/** A contact's columns that decide consent: the stored level and the child state. */
export interface ConsentColumns extends ChildState {
  consent_level: number;
}

/** What a bulk writer asks to change (absent: unchanged). The guardian link and consent have their own ways in. */
export interface ConsentColumnsChange extends Omit<ChildChange, 'guardianId'> {
  level?: number;
}

/**
 * A consent given in another system, as an import's file records it: the level entry is written
 * with this notice (instead of none) and marked as imported with the original time and source.
 */
export interface ImportedConsent {
  /** ISO-8601 UTC: when the other system says the consent was given. */
  at: string;
  source: string | null;
  /** The text shown then, stored as a notice like any other. */
  notice: string | null;
}

/**
 * Consent changes for a writer that writes contact rows in bulk (the import): for each row it
 * gives the consent columns to write, and it records their ledger entries, which `commit`
 * appends under one head lock in the writer's transaction. The writer writes the values this
 * gives and nothing of its own, so the level and the child state change here as everywhere
 * else, each change an entry with its old and new value. One batch per transaction: a retried
 * transaction starts a new one.
 */
export class ConsentBatch {
  private drafts: EntryDraft[] = [];

  constructor(
    private readonly ledger: Pick<LedgerService, 'append'>,
    private readonly ctx: ChangeContext,
  ) {}

  /** `before` null: the contact is being created, at the lowest level and with no child state. */
  change(contactId: string, before: ConsentColumns | null, change: ConsentColumnsChange, history?: ImportedConsent): ConsentColumns {
    if (change.level !== undefined && !isConsentLevel(change.level))
      throw new AppError('validation_failed', `a consent level is a whole number from ${LOWEST_LEVEL} to ${HIGHEST_LEVEL}`, [
        { path: '/level', message: 'out of range' },
      ]);
    const child: ChildChange = {
      ...(change.isChild !== undefined ? { isChild: change.isChild } : {}),
      ...(change.birthDate !== undefined ? { birthDate: change.birthDate } : {}),
    };
    const { after, drafts } = childStateChange(contactId, before && childStateOf(before), child, this.ctx);
    this.drafts.push(...drafts);
    const was = before ? before.consent_level : LOWEST_LEVEL;
    const level = change.level ?? was;
    if (level !== was)
      this.drafts.push({
        contactId,
        kind: 'level',
        oldValue: was,
        newValue: level,
        ...(history
          ? {
              ctx: history.notice === null ? this.ctx : { ...this.ctx, notice: history.notice },
              imported: { at: history.at, source: history.source },
            }
          : { ctx: this.ctx }),
      });
    return { ...after, consent_level: level };
  }

  /**
   * A level confirmed again as it stands, with the notice shown (as setLevel records a repeat of
   * the same level given with a notice): an entry whose old and new value are the level.
   */
  reconfirm(contactId: string, level: number): void {
    if (this.ctx.notice === undefined) return;
    this.drafts.push({ contactId, kind: 'level', oldValue: level, newValue: level, ctx: this.ctx });
  }

  /** Appends the entries recorded so far, in the order they were made, inside `trx`. */
  async commit(trx: Kysely<Database>): Promise<void> {
    const drafts = this.drafts;
    this.drafts = [];
    await this.ledger.append(trx, drafts);
  }
}
