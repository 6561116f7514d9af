import { Stack, Text, Title } from '@mantine/core';

export default function Dashboard() {
  return (
    <Stack component="section" aria-labelledby="screen-title">
      <Title order={1} id="screen-title">
        Dashboard
      </Title>
      <Text>Consent levels, interactions per day, open requests and the latest audit entries will show here.</Text>
    </Stack>
  );
}
