import { Text } from '@mantine/core';
import { Page } from '../../ui/Page';

export default function Dashboard() {
  return (
    <Page title="Dashboard">
      <Text>Consent levels, interactions per day, open requests and the latest audit entries will show here.</Text>
    </Page>
  );
}
