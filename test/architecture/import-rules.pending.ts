// The violations left after the module manifests landed of the import rules (import-rules.ts): the to-do list of issue 11's
// rewiring. The live test fails on a violation not listed here, and on an entry that no
// longer occurs, so this list only shrinks; it is empty when issue 11 is done. Remove an
// entry when its import is gone; never add one.
import type { PendingViolation } from './import-rules.ts';

export const PENDING: PendingViolation[] = [
  // public-face
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.model.ts', import: 'src/modules/consent/consent.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/audit/audit.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/audit/audit.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/consent/ledger.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/datamap/datamap.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/datamap/datamap.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/lists/lists.service.ts' },
  {
    rule: 'public-face',
    file: 'src/modules/dsr/access-export/access-export.service.ts',
    import: 'src/modules/segments/segments.service.ts',
  },
  { rule: 'public-face', file: 'src/modules/dsr/access-export/access-export.service.ts', import: 'src/modules/settings/secret.service.ts' },
  {
    rule: 'public-face',
    file: 'src/modules/dsr/access-export/access-export.service.ts',
    import: 'src/modules/settings/settings.service.ts',
  },
];
