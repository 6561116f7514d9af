import type { DataMap, TableDecl } from './datamap.model.ts';

/**
 * What Art. 30(1) asks beyond the map, as the installation is configured: read by the caller
 * (the CLI, which sees every module) from settings, webhooks, users and the keys' sources, so
 * this module stays below them.
 */
export interface RecordsFacts {
  organisation: {
    name: string;
    postalAddress: string | null;
    contactEmail: string | null;
    dpo: { name: string; email: string | null } | null;
  };
  /** The SMTP relay, when one is set: it receives every message, so the addresses and contents. */
  relay: { host: string; port: number; secure: boolean; verifiesCertificate: boolean } | null;
  /** Webhook targets by host, and whether any of them asks for personal values. */
  webhooks: { host: string; personalData: boolean; active: boolean }[];
  /** Staff roles and how many active users hold each. */
  roles: { role: string; users: number }[];
  /** Where the installation secret (signed links, keyed address hashes) comes from. */
  secretFrom: 'environment' | 'database';
  /** Where the key that authenticates the consent ledger's head comes from; null: none. */
  ledgerKeyFrom: string | null;
  dataProtectionEnabled: boolean;
  suppressErasedAddresses: boolean;
  database: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ', ');

const tablesOf = (ts: TableDecl[]) =>
  ts
    .map((t) => `\`${t.name}\``)
    .sort()
    .join(', ');

/** The data subjects, as the map's subject links (and the staff tables' categories) name them. */
function subjectCategories(map: DataMap): string[] {
  const byContact = map.tables.filter((t) => t.subjectLink?.kind === 'self' || t.subjectLink?.kind === 'contact');
  const byAddress = map.tables.filter((t) => t.subjectLink?.kind === 'email');
  const staff = map.tables.filter((t) => t.columns.some((c) => c.category.startsWith('staff.')));
  const minors = map.tables.some((t) => t.columns.some((c) => c.category.startsWith('contact.minor.')));
  const out: string[] = [];
  if (byContact.length)
    out.push(
      `- **Contacts**: the people the organisation markets to and keeps in touch with${
        minors ? ', children among them (with their guardians, also contacts)' : ''
      } — ${tablesOf(byContact)}.`,
    );
  if (byAddress.length)
    out.push(
      '- **People known by an email address alone**: requesters of data-subject requests and recipients of messages, contacts or not — ' +
        `${tablesOf(byAddress)}.`,
    );
  if (staff.length) out.push(`- **Staff** using Assent (users and their credentials) — ${tablesOf(staff)}.`);
  return out;
}

/** The Art. 30(1) sections beyond the tables: controller, subjects, recipients, transfers, security. */
export function renderRecordsSections(map: DataMap, f: RecordsFacts): string {
  const o = f.organisation;
  const out: string[] = ['## Controller', ''];
  out.push(`- name: ${cell(o.name)}`);
  out.push(`- postal address: ${o.postalAddress ? cell(o.postalAddress) : 'not set (settings `organisation.postalAddress`)'}`);
  out.push(`- contact: ${o.contactEmail ?? 'not set (settings `organisation.contactEmail`)'}`);
  out.push(
    `- data-protection officer: ` +
      `${o.dpo ? `${cell(o.dpo.name)}${o.dpo.email ? `, ${o.dpo.email}` : ''}` : 'none named (settings `organisation.dpo`)'}`,
    '',
  );
  out.push('## Categories of data subjects', '', ...subjectCategories(map), '');
  out.push('## Recipients', '');
  if (f.relay)
    out.push(
      `- the SMTP relay \`${f.relay.host}\` (port ${f.relay.port}): every message, so the recipients' addresses and what is sent to them.`,
    );
  else out.push('- no SMTP relay is set: messages stay in the local outbox.');
  if (f.webhooks.length)
    for (const w of f.webhooks)
      out.push(
        `- webhook target \`${w.host}\`${w.active ? '' : ' (disabled)'}: event notices carrying ids${
          w.personalData ? ', and the contact’s current values (it asks for personal data)' : ', no personal values'
        }.`,
      );
  else out.push('- no webhook targets.');
  out.push('', '## Transfers to third countries', '');
  out.push(
    'Assent itself sends data nowhere else and configures no transfer to a third country or international organisation. The hosts ' +
      'listed under Recipients are where data leaves the installation: whether any of them, or the companies running them, are ' +
      'outside the EU/EEA, and on what safeguard (Art. 45–49), is for the controller to judge and record here.',
    '',
  );
  out.push('## Security measures (Art. 32)', '', 'As this installation is configured:', '');
  out.push(
    `- **Secrets**: the installation secret, which signs every link in the product's mail and keys the hashes of erased addresses, ${
      f.secretFrom === 'environment'
        ? 'comes from the environment (`ASSENT_SECRET`) and is not in the database'
        : 'is kept in the database (settings table; set `ASSENT_SECRET` to keep it out of the database, so a copy of the database alone ' +
          'cannot test guessed addresses against the hashes)'
    }. Staff passwords are stored as scrypt hashes, API keys and session tokens as hashes only. The SMTP password and the DKIM ` +
      'private key are write-only through the API (never returned); they are stored in the settings table without further encryption.',
  );
  out.push(
    `- **Consent ledger**: append-only; each entry carries the hash of the one before, so a change or removal is detectable (\`assent ` +
      `consent verify\`). ${
        f.ledgerKeyFrom
          ? `Its head is authenticated with a key kept outside the database (${f.ledgerKeyFrom}), so a shortened ledger is detected too.`
          : 'No ledger key is configured: the head is not authenticated, so a ledger cut short at its end would not be detected.'
      }`,
  );
  const roles = f.roles.map((r) => `${r.role} (${r.users} active user${r.users === 1 ? '' : 's'})`).join(', ');
  out.push(
    `- **Access roles**: every API route checks the caller's role — ${roles || 'no users yet'}; every staff action on personal data ` +
      'is written to the audit log without the data itself. Public pages need no login and reveal nothing about who is known; they ' +
      'are rate-limited per client and address.',
  );
  out.push(
    f.relay
      ? `- **Mail relay TLS**: ${f.relay.secure ? 'TLS from the first byte' : 'STARTTLS when the relay offers it'}; the relay's ` +
          `certificate is ${f.relay.verifiesCertificate ? 'verified' : 'NOT verified (`smtp.rejectUnauthorized` is false)'}.`
      : '- **Mail relay TLS**: no relay is set; nothing is sent.',
  );
  const kept = map.tables.filter((t) => t.retention);
  out.push(
    `- **Retention**: ${kept.length} tables have a retention period (below); the worker deletes what is due once a day, ` +
      'audited, and `assent retention run` does it on demand (with a preview). Erasure follows the map in one transaction and scans ' +
      `the database for traces ` +
      `afterwards${f.suppressErasedAddresses ? '; erased addresses are kept as keyed hashes so they are not re-created silently' : ''}.`,
  );
  out.push(
    `- **Consent gate**: the data protection switch is ` +
      `${
        f.dataProtectionEnabled
          ? 'on: consent levels gate every processing purpose'
          : 'OFF: consent levels are stored but gate ' + 'nothing (children are still never profiled)'
      }.`,
  );
  out.push(`- **Database**: ${f.database}.`, '');
  return out.join('\n');
}
