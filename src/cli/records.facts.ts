import type { RecordsFacts } from '../modules/datamap/module.ts';
import { ROLES } from '../modules/users/users.model.ts';
import type { Services } from '../services.ts';

const PAGE = 500;

/** A target's host, never its path or query (which may hold a token). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unreadable URL)';
  }
}

/**
 * What the records of processing state beyond the map, read from this installation's own
 * configuration: the organisation, the relay, webhook targets, staff roles, where the keys come from.
 */
export async function recordsFacts(s: Services): Promise<RecordsFacts> {
  const settings = await s.settings.get();
  const webhooks: RecordsFacts['webhooks'] = [];
  for (let after: string | undefined; ; ) {
    const page = await s.webhooks.list(PAGE, after);
    for (const w of page) webhooks.push({ host: hostOf(w.url), personalData: w.includePersonalData, active: w.status === 'active' });
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  const users = new Map<string, number>();
  for (let after: string | undefined; ; ) {
    const page = await s.users.listUsers(PAGE, after);
    for (const u of page) if (!u.disabled) users.set(u.role, (users.get(u.role) ?? 0) + 1);
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  const { organisation: o, smtp } = settings;
  return {
    organisation: { name: o.name, postalAddress: o.postalAddress, contactEmail: o.contactEmail, dpo: o.dpo },
    relay: smtp ? { host: smtp.host, port: smtp.port, secure: smtp.secure, verifiesCertificate: smtp.rejectUnauthorized !== false } : null,
    webhooks,
    roles: ROLES.map((role) => ({ role, users: users.get(role) ?? 0 })),
    secretFrom: s.config.secret ? 'environment' : 'database',
    ledgerKeyFrom: s.ledgerKey.get() === null ? null : (s.ledgerKey.source ?? 'configured'),
    dataProtectionEnabled: settings.dataProtectionEnabled,
    suppressErasedAddresses: settings.suppressErasedAddresses,
    database: s.db.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite (a file on this machine)',
  };
}
