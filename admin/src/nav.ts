/** The console's areas, in the navigation's order. Each screen lands at its path (ids only in URLs). */
export const NAV = [
  { path: '/', label: 'Dashboard' },
  { path: '/contacts', label: 'Contacts' },
  { path: '/imports', label: 'Import' },
  { path: '/lists', label: 'Lists' },
  { path: '/fields', label: 'Custom fields' },
  { path: '/entities', label: 'Custom entities' },
  { path: '/segments', label: 'Segments' },
  { path: '/requests', label: 'Data requests' },
  { path: '/settings', label: 'Settings' },
  { path: '/audit', label: 'Audit log' },
  { path: '/data-map', label: 'Data map' },
] as const;
