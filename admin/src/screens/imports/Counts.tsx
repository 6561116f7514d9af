import { Paper, SimpleGrid, Text } from '@mantine/core';
import { formatNumber } from '../../ui/format';

/** Created / updated / rejected as three figures, each labelled for a screen reader as it reads. */
export function Counts({ items, label }: { items: { label: string; value: number | undefined; color?: string }[]; label: string }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm" role="list" aria-label={label}>
      {items.map((i) => (
        <Paper key={i.label} withBorder p="sm" radius="md" role="listitem" aria-label={`${i.label}: ${formatNumber(i.value ?? 0)}`}>
          <Text size="sm" c="dimmed">
            {i.label}
          </Text>
          <Text fw={700} fz="xl" c={i.color}>
            {formatNumber(i.value ?? 0)}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
