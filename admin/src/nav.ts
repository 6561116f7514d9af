import type { Area } from './api/session';

/**
 * The console's areas, in the navigation's order. Each screen lands at its path (ids only in URLs)
 * and is shown to a role that may read its area (the session's rights). Its code is the folder
 * screens/<folder>/index.tsx (App.tsx finds it), loaded when first opened.
 */
export const NAV: readonly { path: string; folder: string; label: string; area: Area; op?: 'read' | 'write' }[] = [
  { path: '/', folder: 'dashboard', label: 'Dashboard', area: 'self' },
  { path: '/contacts', folder: 'contacts', label: 'Contacts', area: 'contacts' },
  { path: '/imports', folder: 'imports', label: 'Import', area: 'contacts', op: 'write' },
  { path: '/lists', folder: 'lists', label: 'Lists', area: 'lists' },
  { path: '/fields', folder: 'fields', label: 'Custom fields', area: 'contacts' },
  { path: '/entities', folder: 'entities', label: 'Custom entities', area: 'entities' },
  { path: '/segments', folder: 'segments', label: 'Segments', area: 'segments' },
  { path: '/requests', folder: 'requests', label: 'Data requests', area: 'requests' },
  { path: '/settings', folder: 'settings', label: 'Settings', area: 'settings' },
  { path: '/users', folder: 'users', label: 'Users and API keys', area: 'users' },
  { path: '/audit', folder: 'audit', label: 'Audit log', area: 'audit' },
  { path: '/data-map', folder: 'data-map', label: 'Data map', area: 'datamap' },
  { path: '/outbox', folder: 'outbox', label: 'Outbox', area: 'outbox' },
  { path: '/account', folder: 'account', label: 'Your account', area: 'self' },
];
