import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { consentDataMap } from './consent.data-map.ts';
import { consentRoutes } from './consent.routes.ts';
import { ConsentService } from './consent.service.ts';
import type { ConsentLedgerTable, LedgerHeadTable, NoticesTable } from './consent.table.ts';
import { LedgerService } from './ledger.service.ts';

// What other modules may use: the services, the change context and entry types, and the gate's
// SQL and cut-off for the modules that select contacts by consent in their own queries.
// The child rule's state and its change, for the imports that write a contact's child columns in their own batch.
export { type ChildChange, type ChildState, childStateChange, childStateOf } from './child-state.ts';
export type { ChangeContext, LedgerEntry, Source } from './consent.model.ts';
export { SourceSchema } from './consent.schemas.ts';
export type { ConsentService } from './consent.service.ts';
export { type GateAnswer, type GateQuestion, gateSql, isChildSql, majorityCutoff } from './gate.ts';
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
  needs: [settings],
  dataMap: consentDataMap,
  create: (core, deps) => {
    const ledger = new LedgerService(core.db, core.clock, () => deps.ledgerKey.get());
    return { ledger, consent: new ConsentService(core.db, core.clock, deps.settings, ledger) };
  },
  routes: (s) => [{ prefix: '/api/v1', plugin: consentRoutes(s) }],
});
