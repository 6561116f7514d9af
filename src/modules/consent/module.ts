import { defineModule } from '../module.ts';
import { settings } from '../settings/module.ts';
import { consentDataMap } from './consent.data-map.ts';
import { consentRoutes } from './consent.routes.ts';
import { ConsentService } from './consent.service.ts';
import type { ConsentLedgerTable, LedgerHeadTable, NoticesTable } from './consent.table.ts';
import { LedgerService } from './ledger.service.ts';

export { CALLERS, type Caller } from './gate.rule.ts';
// The child rule, for those who show or check child status: defined once, in the gate.
export { isChild } from './gate.ts';
export type { ConsentBatch, ConsentColumns } from './consent.batch.ts';
export type { ChangeContext } from './consent.model.ts';
export type { ConsentService } from './consent.service.ts';

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
