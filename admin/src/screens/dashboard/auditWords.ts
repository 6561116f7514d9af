/** An audit action code ("contact.update") in words a privacy officer reads ("changed a contact"). */
const EXACT: Record<string, string> = {
  'session.create': 'signed in',
  'session.delete': 'signed out',
  'session.password': 'changed their password',
  'consent.set_level': 'changed a consent level',
  'consent.bulk_set_level': 'changed consent levels in bulk',
  'consent.guardian': 'recorded guardian consent',
  'consent.history': 'read a consent history',
  'consent.check': 'asked the consent gate',
  'consent.check_many': 'asked the consent gate about many contacts',
  'consent.verify': 'verified the consent ledger',
  'consent.seal': 'sealed the consent ledger',
  'consent.view': 'read a consent state',
  'contact.erase': 'erased a contact',
  'contact.export': 'exported contacts',
  'contact.import': 'imported contacts',
  'contact.import_rejects': 'downloaded rejected import rows',
  'contact.duplicates': 'looked for duplicate contacts',
  'contact_field.create': 'defined a custom field',
  'erasure.execute': 'carried out an erasure',
  'export.create': 'made an access export',
  'export.download': 'downloaded an access export',
  'interaction.ingest': 'recorded interactions',
  'job.read': 'followed a job',
  'list.join': 'added a contact to a list',
  'list.leave': 'removed a contact from a list',
  'list.bulk_join': 'added contacts to a list',
  'list.bulk_leave': 'removed contacts from a list',
  'list.memberships': "read a contact's lists",
  'request.bulk_erasure': 'erased a segment on request',
  'request.extend': 'extended a request deadline',
  'request.fulfil': 'fulfilled a data request',
  'retention.run': 'ran the retention rules',
  'segment.explain': 'asked why a contact is in a segment',
  'segment.members': 'listed segment members',
  'segment.snapshot': 'took a segment snapshot',
  'settings.smtp_test': 'sent a test message',
  'suppression.lift': 'lifted an address suppression',
  'user.unlock': 'unlocked a user',
  'key.revoke': 'revoked an API key',
  'audit.view': 'read the audit log',
};

const VERBS: Record<string, string> = {
  create: 'created',
  update: 'changed',
  delete: 'deleted',
  view: 'viewed',
  list: 'listed',
};

const NOUNS: Record<string, [one: string, many: string]> = {
  contact: ['a contact', 'contacts'],
  entity: ['a custom entity', 'custom entities'],
  entity_record: ['a record', 'records'],
  key: ['an API key', 'API keys'],
  list: ['a list', 'lists'],
  notice: ['a notice text', 'notice texts'],
  outbox: ['an outbox message', 'the outbox'],
  request: ['a data request', 'data requests'],
  segment: ['a segment', 'segments'],
  settings: ['the settings', 'the settings'],
  task: ['a task', 'tasks'],
  user: ['a user', 'users'],
  webhook: ['a webhook', 'webhooks'],
  interaction: ['interactions', 'interactions'],
  audit: ['the audit log', 'the audit log'],
};

export function actionInWords(action: string): string {
  const exact = EXACT[action];
  if (exact) return exact;
  const [noun = '', verb = ''] = action.split('.');
  const n = NOUNS[noun];
  const v = VERBS[verb];
  if (n && v) return `${v} ${verb === 'list' ? n[1] : n[0]}`;
  return action.replaceAll('_', ' ').replace('.', ': ');
}
