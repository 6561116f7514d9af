import { Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { NAV } from '../nav';

/** Stands in for a screen not built yet, so the navigation already leads somewhere. */
export default function Placeholder() {
  const { area } = useParams();
  const label = NAV.find((n) => n.path === `/${area}`)?.label ?? 'Not found';
  return (
    <Stack component="section" aria-labelledby="screen-title">
      <Title order={1} id="screen-title">
        {label}
      </Title>
      <Text>This screen is not built yet.</Text>
    </Stack>
  );
}
