import type { Settings } from './settings.schemas.ts';

/**
 * Values a new installation starts with. They are written to the database on first boot,
 * so changing a default later never changes an existing installation behind its back.
 * Data protection is on by default (privacy by default, GDPR Art. 25).
 */
export const DEFAULT_SETTINGS: Settings = {
  dataProtectionEnabled: true,
  consentLevels: [
    { level: 0, name: '(none)', description: 'Nothing but receiving what the person submits on a form.' },
    { level: 1, name: 'Consent', description: 'Contact only to confirm or raise consent.' },
    { level: 2, name: 'Transactional', description: 'Messages about existing business, such as receipts and statements; no promotion.' },
    { level: 3, name: 'Subscriptions', description: 'Offers to sign up for lists and subscribed content.' },
    { level: 4, name: 'Marketing', description: 'Marketing and promotional content.' },
    {
      level: 5,
      name: 'Profiling',
      description: 'Use of demographic and behaviour data for automated decisions, including lead scoring and tracking.',
    },
  ],
  smtp: null,
  publicBaseUrl: 'http://localhost:8080',
  mailFrom: 'Assent <no-reply@localhost>',
  // The purpose -> level recommendations of the product brief; installations may add purposes.
  purposes: { requested: 0, consent_request: 1, transactional: 2, subscription: 3, marketing: 4, profiling: 5 },
  majorityAge: 16,
  suppressErasedAddresses: true,
  timeZone: 'UTC',
  dkim: null,
  // Off until the installation decides to send them (and has a relay); existing installations
  // get these at their next boot (ensureDefaults writes missing keys), so no migration is needed.
  consentReceipts: false,
  bounceInbound: null,
  // No caps and no quiet hours until an installation chooses them; a send held for quiet hours
  // whose campaign is cancelled meanwhile is not sent.
  emailRules: { frequencyCaps: [], quietHours: null, dropDeferredWhenCancelled: true },
  // A placeholder an installation replaces: public pages and the product's own mail name it.
  organisation: {
    name: 'Our organisation',
    postalAddress: null,
    contactEmail: null,
    privacyNoticeUrl: null,
    dpo: null,
    supervisoryAuthority: null,
  },
  // No other site may read the public intake's answers until the installation names it.
  publicFormOrigins: [],
  // A week to confirm a form's double opt-in; existing installations get it at their next boot (ensureDefaults).
  formConfirmationDays: 7,
};
