import { events } from '../events/module.ts';
import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { consentDataMap } from './consent.data-map.ts';
import { consentRoutes } from './consent.routes.ts';
import { ConsentService } from './consent.service.ts';
import type { LedgerEntry } from './consent.model.ts';
import type { ConsentLedgerTable, LedgerHeadTable, NoticesTable } from './consent.table.ts';
import { LedgerService } from './ledger.service.ts';
import * as m0018 from './migrations/0018_consent_imported_history.ts';

// What other modules may use: the services, the change context and entry types, the callers, and
// the gate's SQL and cut-off for the modules that select contacts by consent in their own queries.
// The child rule's state and its change; the child rule itself (isChild), defined once, in the gate.
export { type ChildChange, type ChildState, childStateChange, childStateOf } from './child-state.ts';
export type { ConsentBatch, ConsentColumns, ImportedConsent } from './consent.batch.ts';
export type { ChangeContext, LedgerEntry, Source } from './consent.model.ts';
export { SourceSchema } from './consent.schemas.ts';
export type { ConsentService } from './consent.service.ts';
export { CALLERS, type Caller, UNSOLICITED_CALLERS } from './gate.rule.ts';
export { closedToCaller, type GateAnswer, type GateQuestion, gateReasonSql, gateSql, isChild, isChildSql, majorityCutoff } from './gate.ts';
export type { EntryDraft, LedgerService } from './ledger.service.ts';

// The tables it owns: each module adds its own to the one Database type.
declare module '../database.ts' {
  interface Database {
    notices: NoticesTable;
    consent_ledger: ConsentLedgerTable;
    ledger_head: LedgerHeadTable;
  }
}

export const consent = defineModule({
  name: 'consent',
  needs: [settings, events],
  dataMap: consentDataMap,
  events: ['consent.changed'],
  migrations: { '0018_consent_imported_history': m0018 },
  create: (core, deps) => {
    const ledger = new LedgerService(core.db, core.clock, () => deps.ledgerKey.get(), deps.events);
    return { ledger, consent: new ConsentService(core.db, core.clock, deps.settings, ledger) };
  },
  // The ledger is evidence: an erasure turns the person's entries into stubs that keep the chain
  // verifiable (one person through stubContact, a batch in one statement), after unlinking the
  // erased guardians' wards on their own ledger.
  erasers: (face) => ({
    consent_ledger: (trx, ids) => (ids.length === 1 ? face.consent.stubContact(trx, ids[0]!) : face.consent.stubContacts(trx, ids)),
  }),
  // The access export's consent history: every entry of each of the person's contacts, oldest
  // first, with the notice shown. Having any counts as holding data about the person.
  exportSections: (face) => [
    {
      keys: ['consentHistory'],
      read: async (ids) => {
        const history: LedgerEntry[] = [];
        for (const id of ids) history.push(...(await face.ledger.history(id)));
        history.sort((a, b) => a.seq - b.seq);
        return { values: { consentHistory: history.map(exportEntry) }, dataHeld: history.length > 0 };
      },
    },
  ],
  routes: (s) => [{ prefix: '/api/v1', plugin: consentRoutes(s) }],
});

/** A ledger entry as the access export gives it (docs/export-format.md): no hash, the actor and evidence grouped. */
function exportEntry(e: LedgerEntry) {
  return {
    id: e.id,
    seq: e.seq,
    at: e.at,
    kind: e.kind,
    listId: e.listId,
    oldValue: e.oldValue,
    newValue: e.newValue,
    oldText: e.oldText,
    newText: e.newText,
    source: e.source,
    actor: { type: e.actorType, id: e.actorId },
    evidence: { ip: e.evidence.ip, userAgent: e.evidence.userAgent },
    notice: e.notice && { hash: e.notice.hash, text: e.notice.text },
    imported: e.imported,
    erased: e.erased,
  };
}
