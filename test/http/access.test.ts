import { accessSuite } from '../helpers/access-suite.ts';

// Every route of the product: the samples are in test/http/access-samples/, one file per module,
// found by name; a module's new route needs its sample there, not an edit here.
accessSuite('access and audit on every route', { atLeast: { routes: 38, denials: 20, auditEntries: 11 } });
