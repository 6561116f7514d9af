import { Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { formatNumber } from '../../ui/format';
import type { Stats } from './types';
import { reasonWords } from './words';

/** The journey's own counts: entered, in it now, converted, done, held out, left and never entered by reason. */
export function JourneyStats({ stats, loading }: { stats: Stats | null; loading: boolean }) {
  const stat = (label: string, n: number | undefined, hint?: string) => (
    <Paper withBorder p="xs" radius="md">
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={700} data-stat={label}>
        {loading || n === undefined ? '…' : formatNumber(n)}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
  const left = Object.entries(stats?.exited ?? {}).filter(([, n]) => n > 0);
  const notEntered = Object.entries(stats?.notEntered ?? {}).filter(([, n]) => n > 0);
  const sum = (r: [string, number][]) => r.reduce((n, [, x]) => n + x, 0);
  return (
    <Stack gap="xs" component="section" aria-labelledby="journey-stats-title">
      <Title order={2} size="h4" id="journey-stats-title">
        How it is going
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="xs">
        {stat('Entered', stats?.entered)}
        {stat('In it now', stats?.inJourney)}
        {stat('Reached the goal', stats?.converted)}
        {stat('Finished', stats?.done)}
        {stat('Left early', stats ? sum(left) : undefined)}
        {stat('Held out', stats?.holdout, 'for comparison')}
      </SimpleGrid>
      {(left.length > 0 || notEntered.length > 0) && (
        <Text size="sm">
          {left.length > 0 && `Left early: ${left.map(([r, n]) => `${reasonWords(r)} (${formatNumber(n)})`).join('; ')}. `}
          {notEntered.length > 0 && `Did not enter: ${notEntered.map(([r, n]) => `${reasonWords(r)} (${formatNumber(n)})`).join('; ')}.`}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        Counts without names (they stay when a contact is erased), refreshed every few seconds while it runs.
      </Text>
    </Stack>
  );
}
