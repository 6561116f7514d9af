import type { Area } from './api/session';
import { EMAIL_AREA } from './ui/email/area';

/**
 * The console's areas, in the navigation's order. Each screen lands at its path (ids only in URLs)
 * and is shown to a role that may read its area (the session's rights). Its code is the folder
 * screens/<folder>/index.tsx (App.tsx finds it), loaded when first opened.
 */
export type Section = 'Audience' | 'Email' | 'Automation' | 'Privacy' | 'Administration' | null;

export const NAV: readonly { path: string; folder: string; label: string; area: Area; op?: 'read' | 'write'; section: Section }[] = [
  { path: '/', folder: 'dashboard', label: 'Dashboard', area: 'self', section: null },
  { path: '/tasks', folder: 'tasks', label: 'Tasks', area: 'self', section: null },
  { path: '/contacts', folder: 'contacts', label: 'Contacts', area: 'contacts', section: 'Audience' },
  { path: '/imports', folder: 'imports', label: 'Import', area: 'contacts', op: 'write', section: 'Audience' },
  { path: '/lists', folder: 'lists', label: 'Lists', area: 'lists', section: 'Audience' },
  { path: '/fields', folder: 'fields', label: 'Custom fields', area: 'contacts', section: 'Audience' },
  { path: '/entities', folder: 'entities', label: 'Custom entities', area: 'entities', section: 'Audience' },
  { path: '/segments', folder: 'segments', label: 'Segments', area: 'segments', section: 'Audience' },
  // Issue 17: leads (the sales opportunities about contacts) and the models that score them.
  { path: '/leads', folder: 'leads', label: 'Leads', area: 'leads', section: 'Audience' },
  { path: '/scoring', folder: 'scoring', label: 'Scoring', area: 'scoring', section: 'Audience' },
  { path: '/forms', folder: 'forms', label: 'Forms', area: 'forms', section: 'Audience' },
  { path: '/pages', folder: 'pages', label: 'Pages', area: 'forms', section: 'Audience' },
  { path: '/messages', folder: 'messages', label: 'Messages', area: EMAIL_AREA, section: 'Email' },
  { path: '/campaigns', folder: 'campaigns', label: 'Campaigns', area: EMAIL_AREA, section: 'Email' },
  { path: '/bounces', folder: 'bounces', label: 'Bounces', area: EMAIL_AREA, section: 'Email' },
  { path: '/journeys', folder: 'journeys', label: 'Journeys', area: 'journeys', section: 'Automation' },
  { path: '/requests', folder: 'requests', label: 'Data requests', area: 'requests', section: 'Privacy' },
  { path: '/audit', folder: 'audit', label: 'Audit log', area: 'audit', section: 'Privacy' },
  { path: '/data-map', folder: 'data-map', label: 'Data map', area: 'datamap', section: 'Privacy' },
  { path: '/settings', folder: 'settings', label: 'Settings', area: 'settings', section: 'Administration' },
  { path: '/users', folder: 'users', label: 'Users and API keys', area: 'users', section: 'Administration' },
  { path: '/outbox', folder: 'outbox', label: 'Outbox', area: 'outbox', section: 'Administration' },
  { path: '/account', folder: 'account', label: 'Your account', area: 'self', section: null },
];
