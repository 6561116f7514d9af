// The violations left after the module manifests landed of the import rules (import-rules.ts): the to-do list of issue 11's
// rewiring. The live test fails on a violation not listed here, and on an entry that no
// longer occurs, so this list only shrinks; it is empty when issue 11 is done. Remove an
// entry when its import is gone; never add one.
import type { PendingViolation } from './import-rules.ts';

export const PENDING: PendingViolation[] = [
  // public-face
  { rule: 'public-face', file: 'src/modules/consent/consent.service.ts', import: 'src/modules/contacts/contacts.queries.ts' },
  { rule: 'public-face', file: 'src/modules/consent/consent.service.ts', import: 'src/modules/contacts/contacts.table.ts' },
  { rule: 'public-face', file: 'src/modules/contacts/contacts.routes.ts', import: 'src/modules/dsr/erasure/erasure.schemas.ts' },
  { rule: 'public-face', file: 'src/modules/contacts/contacts.service.ts', import: 'src/modules/dsr/erasure/erasure.model.ts' },
  { rule: 'public-face', file: 'src/modules/contacts/contacts.service.ts', import: 'src/modules/dsr/erasure/erasure.service.ts' },
  {
    rule: 'public-face',
    file: 'src/modules/dsr/access-export/access-export.service.ts',
    import: 'src/modules/contacts/contacts.queries.ts',
  },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.followup.ts', import: 'src/modules/audit/audit.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.followup.ts', import: 'src/modules/datamap/datamap.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.model.ts', import: 'src/modules/audit/audit.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.model.ts', import: 'src/modules/datamap/datamap.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.queries.ts', import: 'src/modules/datamap/datamap.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.service.ts', import: 'src/modules/audit/audit.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.service.ts', import: 'src/modules/contacts/contacts.queries.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.service.ts', import: 'src/modules/datamap/datamap.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.service.ts', import: 'src/modules/datamap/datamap.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.service.ts', import: 'src/modules/settings/secret.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/erasure.service.ts', import: 'src/modules/settings/settings.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/erasure/purge.service.ts', import: 'src/modules/settings/secret.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/fulfil.service.ts', import: 'src/modules/audit/audit.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/fulfil.service.ts', import: 'src/modules/consent/consent.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/fulfil.service.ts', import: 'src/modules/contacts/contacts.model.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/fulfil.service.ts', import: 'src/modules/contacts/contacts.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.intake.ts', import: 'src/modules/settings/secret.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.schemas.ts', import: 'src/modules/contacts/contacts.schemas.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.service.ts', import: 'src/modules/contacts/contacts.queries.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.service.ts', import: 'src/modules/settings/secret.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.service.ts', import: 'src/modules/settings/settings.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.service.ts', import: 'src/modules/users/users.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.verification.ts', import: 'src/modules/settings/secret.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/requests.verification.ts', import: 'src/modules/settings/settings.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/requests/tasks.service.ts', import: 'src/modules/users/users.service.ts' },
  { rule: 'public-face', file: 'src/modules/dsr/residue/residue.service.ts', import: 'src/modules/datamap/datamap.model.ts' },
  { rule: 'public-face', file: 'src/modules/mail/mail.service.ts', import: 'src/modules/settings/settings.schemas.ts' },
  { rule: 'public-face', file: 'src/modules/mail/mail.service.ts', import: 'src/modules/settings/settings.service.ts' },
  { rule: 'public-face', file: 'src/modules/mail/smtp.relay.ts', import: 'src/modules/settings/settings.schemas.ts' },
];
