import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../database.ts';
import type { Clock } from '../../lib/clock.ts';
import { HIGHEST_LEVEL, isConsentLevel, LOWEST_LEVEL } from '../../lib/consent-levels.ts';
import { AppError } from '../../lib/errors.ts';
import type { SettingsService } from '../settings/module.ts';
import { childStateChange, childStateOf, valueAt, type ChildChange } from './child-state.ts';
import { ConsentBatch } from './consent.batch.ts';
import type { ChangeContext, LedgerEntry } from './consent.model.ts';
import type { Caller } from './gate.rule.ts';
import { decide, gateSql, majorityCutoff, type GateAnswer, type GateQuestion } from './gate.ts';
import type { EntryDraft, LedgerService } from './ledger.service.ts';
import { contactById, contactForUpdate, contactsByIds, lockContacts, type ContactsTable } from '../contact-records/module.ts';
import {
  gateStatesByIds,
  setChildColumns,
  setConsentLevels,
  setConsentLevel,
  setGuardianConsent,
  wardsOf,
} from './consent.columns.queries.ts';

export interface AskOptions {
  /** When the processing happens; defaults to now. A past time uses the consent recorded then. */
  at?: Date;
  /** Who asks (one of CALLERS in gate.rule.ts): some purposes are closed to some callers. */
  caller?: Caller;
  /**
   * A level the processing needs beyond its purpose's (a journey's requirement): the question
   * asks for the higher of the two, and the one rule answers it like any other.
   */
  atLeast?: number;
  /** Reads the contacts in this transaction (a step that decides what it writes by the answer reads under its own locks). */
  trx?: Kysely<Database>;
}

/**
 * The consent gate and the changes that feed it. Every processing path asks `check`,
 * `checkMany` or `predicate`; all three read the one rule in gate.rule.ts.
 */
export class ConsentService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly ledger: LedgerService,
  ) {}

  /** Turns a purpose name into the question the rule answers, from the settings now in force. */
  async question(purpose: string, opts: AskOptions = {}): Promise<GateQuestion> {
    const s = await this.settings.get(opts.trx);
    const required = s.purposes[purpose];
    if (required === undefined)
      throw new AppError('unknown_purpose', `unknown purpose "${purpose.slice(0, 60)}"`, { known: Object.keys(s.purposes) });
    const at = opts.at ?? this.clock.now();
    return {
      purpose,
      required: Math.max(required, opts.atLeast ?? LOWEST_LEVEL),
      dataProtection: s.dataProtectionEnabled,
      childCutoff: majorityCutoff(at, s.majorityAge),
      ...(opts.caller ? { caller: opts.caller } : {}),
    };
  }

  /** What the rule knows about a contact, now or (a past `at`) as the ledger recorded it then. */
  private async stateAt(row: ContactsTable, at: Date | undefined) {
    if (!at || at.getTime() >= this.clock.now().getTime()) {
      return {
        storedLevel: row.consent_level,
        isChildFlag: row.is_child === 1,
        birthDate: row.birth_date,
        guardianConsent: row.guardian_consent === 1,
      };
    }
    const storedLevel = (await this.ledger.lastAt(row.id, ['level'], at))?.newValue ?? 0;
    const guardianConsent = ((await this.ledger.lastAt(row.id, ['guardian_consent'], at))?.newValue ?? 0) === 1;
    const child = await this.ledger.entriesOf(row.id, ['child_flag', 'birth_date']);
    const iso = at.toISOString();
    return {
      storedLevel,
      guardianConsent,
      isChildFlag: valueAt(
        child.filter((e) => e.kind === 'child_flag'),
        iso,
        row.is_child === 1,
        (e, side) => (side === 'new' ? e.newValue : e.oldValue) === 1,
      ),
      birthDate: valueAt(
        child.filter((e) => e.kind === 'birth_date'),
        iso,
        row.birth_date,
        (e, side) => (side === 'new' ? e.newText : e.oldText),
      ),
    };
  }

  async check(contactId: string, purpose: string, opts: AskOptions = {}): Promise<GateAnswer> {
    const q = await this.question(purpose, opts);
    const row = await contactById(this.db.kysely, contactId);
    if (!row) throw new AppError('not_found', 'no such contact');
    return decide(await this.stateAt(row, opts.at), q);
  }

  /**
   * The answer for an address no contact holds (a data request's requester, say): nothing is
   * recorded about it, so it counts as an adult at level 0, and only what needs no consent passes.
   */
  async checkUnknown(purpose: string, opts: Omit<AskOptions, 'at'> = {}): Promise<GateAnswer> {
    return decide({ storedLevel: 0, isChildFlag: false, birthDate: null, guardianConsent: false }, await this.question(purpose, opts));
  }

  /** One question for many contacts: one settings read, one query. Unknown ids are omitted. */
  async checkMany(contactIds: string[], purpose: string, opts: Omit<AskOptions, 'at'> = {}): Promise<Map<string, GateAnswer>> {
    const q = await this.question(purpose, opts);
    const out = new Map<string, GateAnswer>();
    for (const row of await gateStatesByIds(opts.trx ?? this.db.kysely, this.db.dialect, [...new Set(contactIds)])) {
      out.set(
        row.id,
        decide(
          {
            storedLevel: row.consent_level,
            isChildFlag: row.is_child === 1,
            birthDate: row.birth_date,
            guardianConsent: row.guardian_consent === 1,
          },
          q,
        ),
      );
    }
    return out;
  }

  /** The gate as SQL over a contacts row (alias), for segments and bulk selection. */
  async predicate(purpose: string, alias = 'contacts', opts: Omit<AskOptions, 'at'> = {}): Promise<RawBuilder<SqlBool>> {
    return gateSql(await this.question(purpose, opts), alias);
  }

  /** Consent changes for a writer of contact rows in bulk (the import), recorded as `ctx` says (consent.batch.ts). */
  batch(ctx: ChangeContext): ConsentBatch {
    return new ConsentBatch(this.ledger, ctx);
  }

  /** Sets the stored level and records it. A repeat of the same level is recorded only with a notice (a re-confirmation). */
  /**
   * `withdrawalOnly`: the caller may lower the level but not raise it (src/http/access.ts,
   * WITHDRAWAL_ACCESS); decided on the level read under the row lock.
   */
  async setLevel(
    contactId: string,
    level: number,
    ctx: ChangeContext,
    trx?: Kysely<Database>,
    opts: { withdrawalOnly?: boolean } = {},
  ): Promise<{ level: number; entry: LedgerEntry | null }> {
    if (!isConsentLevel(level))
      throw new AppError('validation_failed', `a consent level is a whole number from ${LOWEST_LEVEL} to ${HIGHEST_LEVEL}`, [
        { path: '/level', message: 'out of range' },
      ]);
    const run = async (t: Kysely<Database>) => {
      const row = await this.lockedContact(t, contactId);
      if (opts.withdrawalOnly && level > row.consent_level)
        throw new AppError('forbidden', 'raising consent needs consent write access; this role may only lower it (a withdrawal)', [
          { path: '/level', message: `above the current level ${row.consent_level}: needs consent write access` },
        ]);
      if (row.consent_level === level && ctx.notice === undefined) return { level, entry: null };
      await setConsentLevel(t, contactId, level, this.clock.now().toISOString());
      const [entry] = await this.ledger.append(t, [{ contactId, kind: 'level', oldValue: row.consent_level, newValue: level, ctx }]);
      return { level, entry: entry ? (await this.ledger.toEntries([entry], t))[0]! : null };
    };
    return trx ? run(trx) : this.db.kysely.transaction().execute(run);
  }

  /**
   * Sets one stored level for many contacts inside the caller's transaction (a bulk change),
   * through `batch` as every bulk writer: for each contact what setLevel does for one (an entry
   * with the level it replaced; a repeat of the same level recorded only with a notice). The
   * contacts are locked first, in id order, before the ledger head. Ids naming no contact are
   * counted, not refused. Who may raise or lower a level is the route's to decide; with
   * `withdrawalOnly` a contact whose stored level (read under its lock) is below `level` is left
   * as it is and counted as refused.
   */
  async setLevels(
    trx: Kysely<Database>,
    contactIds: string[],
    level: number,
    ctx: ChangeContext,
    opts: { withdrawalOnly?: boolean } = {},
  ): Promise<{ changed: string[]; unchanged: number; missing: number; refused: number }> {
    const ids = [...new Set(contactIds)].sort();
    await lockContacts(trx, this.db.dialect, ids);
    const rows = new Map((await contactsByIds(trx, ids)).map((r) => [r.id, r]));
    const batch = this.batch(ctx);
    const changed: string[] = [];
    let unchanged = 0;
    let refused = 0;
    for (const id of ids) {
      const row = rows.get(id);
      if (!row) continue;
      if (opts.withdrawalOnly && level > row.consent_level) {
        refused++;
        continue;
      }
      const after = batch.change(id, row, { level });
      if (after.consent_level !== row.consent_level) changed.push(id);
      else {
        unchanged++;
        batch.reconfirm(id, level);
      }
    }
    if (changed.length > 0) await setConsentLevels(trx, changed, level, this.clock.now().toISOString());
    await batch.commit(trx);
    return { changed, unchanged, missing: ids.length - rows.size, refused };
  }

  /**
   * An objection: the stored level lowered to `atMost`, never raised, decided on the level read
   * under the row lock (a level read before it could be one a concurrent change replaced).
   */
  async capLevel(contactId: string, atMost: number, ctx: ChangeContext): Promise<{ level: number; entry: LedgerEntry | null }> {
    return this.db.kysely.transaction().execute(async (t) => {
      const row = await this.lockedContact(t, contactId);
      return this.setLevel(contactId, Math.min(row.consent_level, atMost), ctx, t);
    });
  }

  /**
   * The contact row every ledger writer reads the value it replaces from, locked until its
   * transaction ends (PostgreSQL FOR UPDATE; on SQLite the transaction began IMMEDIATE and holds
   * the write lock already). Taken before the ledger head, as every writer takes them, so no
   * two writers deadlock. A contact erased meanwhile is gone once the lock is granted: nothing
   * more is written about it (404).
   */
  private async lockedContact(trx: Kysely<Database>, contactId: string): Promise<ContactsTable> {
    const row = await contactForUpdate(trx, this.db.dialect, contactId);
    if (!row) throw new AppError('not_found', 'no such contact');
    return row;
  }

  /** `withdrawalOnly`: the caller may withdraw guardian consent but not grant it (see setLevel). */
  async setGuardianConsent(
    contactId: string,
    granted: boolean,
    ctx: ChangeContext,
    opts: { withdrawalOnly?: boolean } = {},
  ): Promise<{ granted: boolean; entry: LedgerEntry | null }> {
    return this.db.kysely.transaction().execute(async (t) => {
      const row = await this.lockedContact(t, contactId);
      if (!row.guardian_id)
        throw new AppError('validation_failed', 'the contact has no guardian linked', [
          { path: '/guardianId', message: 'link a guardian first' },
        ]);
      const old = row.guardian_consent;
      const next = granted ? 1 : 0;
      if (opts.withdrawalOnly && next > old)
        throw new AppError('forbidden', 'granting guardian consent needs consent write access; this role may only withdraw it', [
          { path: '/granted', message: 'needs consent write access' },
        ]);
      if (old === next && ctx.notice === undefined) return { granted, entry: null };
      await setGuardianConsent(t, contactId, granted, this.clock.now().toISOString());
      const [entry] = await this.ledger.append(t, [{ contactId, kind: 'guardian_consent', oldValue: old, newValue: next, ctx }]);
      return { granted, entry: entry ? (await this.ledger.toEntries([entry], t))[0]! : null };
    });
  }

  /**
   * Changes a contact's child flag, birth date or guardian link, inside the caller's
   * transaction, recording each changed value in the ledger with its old and new value. A
   * changed guardian link withdraws guardian consent (recorded): a new guardian does not
   * inherit it. `created`: the contact was just inserted, with no child state, and the ledger
   * records the state it starts with. The values are the contacts module's to validate (format,
   * a guardian who exists and is an adult).
   */
  async setChildState(
    trx: Kysely<Database>,
    contactId: string,
    change: ChildChange,
    ctx: ChangeContext,
    opts: { created?: boolean } = {},
  ): Promise<LedgerEntry[]> {
    if (change.isChild === undefined && change.birthDate === undefined && change.guardianId === undefined) return [];
    const row = await this.lockedContact(trx, contactId);
    const { after, drafts } = childStateChange(contactId, opts.created ? null : childStateOf(row), change, ctx);
    if (drafts.length === 0) return [];
    await setChildColumns(trx, contactId, after, this.clock.now().toISOString());
    return this.ledger.toEntries(await this.ledger.append(trx, drafts), trx);
  }

  /** The erasure's consent part for one person (see stubContacts). */
  async stubContact(trx: Kysely<Database>, contactId: string): Promise<number> {
    await this.beforeStubbing(trx, [contactId]);
    return this.ledger.stubContact(trx, contactId);
  }

  /**
   * The erasure's consent part, inside its transaction: children whose guardian is erased lose
   * the link and that guardian's consent, recorded on their own ledger; then the erased people's
   * entries become stubs under one erasure record.
   */
  async stubContacts(trx: Kysely<Database>, contactIds: string[]): Promise<number> {
    await this.beforeStubbing(trx, contactIds);
    return this.ledger.stubContacts(trx, contactIds);
  }

  private async beforeStubbing(trx: Kysely<Database>, contactIds: string[]): Promise<void> {
    // Rows first, then the ledger head, as every consent writer takes them: no deadlock with a
    // consent change of the same person on PostgreSQL.
    await lockContacts(trx, this.db.dialect, contactIds);
    const ctx: ChangeContext = { source: 'system', actor: { type: 'system', id: null } };
    const now = this.clock.now().toISOString();
    const drafts: EntryDraft[] = [];
    for (const ward of await wardsOf(trx, this.db.dialect, contactIds)) {
      const { after, drafts: d } = childStateChange(ward.id, childStateOf(ward), { guardianId: null }, ctx);
      await setChildColumns(trx, ward.id, after, now);
      drafts.push(...d);
    }
    await this.ledger.append(trx, drafts);
  }

  /** The stored level at a time and the ledger entry that set it (level 0 and no entry before any). */
  async levelAt(contactId: string, at: Date): Promise<{ level: number; entry: LedgerEntry | null }> {
    if (!(await contactById(this.db.kysely, contactId))) throw new AppError('not_found', 'no such contact');
    const entry = await this.ledger.lastAt(contactId, ['level'], at);
    return { level: entry?.newValue ?? 0, entry };
  }

  async history(contactId: string): Promise<LedgerEntry[]> {
    if (!(await contactById(this.db.kysely, contactId))) throw new AppError('not_found', 'no such contact');
    return this.ledger.history(contactId);
  }
}
