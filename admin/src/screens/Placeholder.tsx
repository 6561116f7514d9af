import { Text } from '@mantine/core';
import { useLocation } from 'react-router';
import { NAV } from '../nav';
import { Page } from '../ui/Page';

/** Stands in for a screen not built yet, so the navigation already leads somewhere. */
export default function Placeholder() {
  const { pathname } = useLocation();
  const label = NAV.find((n) => n.path !== '/' && pathname.startsWith(n.path))?.label ?? 'Not found';
  return (
    <Page title={label}>
      <Text>This screen is not built yet.</Text>
    </Page>
  );
}
