import { Anchor, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { Card } from './Card';

function Figure({ label, value, alert }: { label: string; value: number; alert?: boolean }) {
  return (
    <Stack gap={0} align="flex-start">
      <Text
        fz={28}
        fw={700}
        lh={1.2}
        c={alert && value > 0 ? 'var(--mantine-color-red-text)' : undefined}
        data-testid={`requests-${label}`}
      >
        {formatNumber(value)}
      </Text>
      <Text size="sm" c={alert && value > 0 ? 'var(--mantine-color-red-text)' : 'dimmed'} fw={alert && value > 0 ? 600 : undefined}>
        {label}
      </Text>
    </Stack>
  );
}

/** The data-subject request queue in three numbers: open, due soon (overdue included), overdue. */
export function RequestsCard() {
  const stats = useQuery({
    queryKey: ['stats', 'requests'],
    queryFn: async () => (await call(api.GET('/api/v1/stats/requests'))).data,
  });
  const d = stats.data;
  return (
    <Card
      id="card-requests"
      title="Data requests"
      action={
        <Anchor component={Link} to="/requests" size="sm">
          Open the request queue
        </Anchor>
      }
    >
      {stats.isPending ? (
        <Loading label="Loading request counts" />
      ) : stats.isError || !d ? (
        <ErrorState error={stats.error} retry={() => stats.refetch()} title="Could not load the request counts" />
      ) : d.open === 0 ? (
        <Text size="sm" c="dimmed">
          No open requests. Requests made on the public page, through the API or by staff show here with their deadlines.
        </Text>
      ) : (
        <>
          <SimpleGrid cols={3} spacing="sm">
            <Figure label="open" value={d.open} />
            <Figure label={`due within ${d.dueWithinDays} days`} value={d.dueSoon - d.overdue} />
            <Figure label="overdue" value={d.overdue} alert />
          </SimpleGrid>
          <Group>
            <Text size="sm" c={d.overdue > 0 ? 'var(--mantine-color-red-text)' : 'dimmed'}>
              {d.overdue > 0
                ? d.overdue === 1
                  ? 'One request is past the legal deadline: answer it first.'
                  : `${formatNumber(d.overdue)} requests are past the legal deadline: answer them first.`
                : d.dueSoon > 0
                  ? 'None is overdue. Answer those due soon first.'
                  : `None is overdue, and every open request is more than ${d.dueWithinDays} days from its deadline.`}
            </Text>
          </Group>
        </>
      )}
    </Card>
  );
}
