import { Paper, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { formatDate, formatNumber } from '../../ui/format';
import { Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { pagesApi } from './types';

/** Views and submissions of the last 30 days: anonymous counters, no person's data. Days with nothing are left out. */
export function PageCounts({ id }: { id: string }) {
  const counts = useQuery({ queryKey: ['page-counts', id], queryFn: () => pagesApi.counts(id), retry: false });
  const busy = counts.data?.days.filter((d) => d.views > 0 || d.submissions > 0) ?? [];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="page-counts-title">
      <Title order={2} size="h4" id="page-counts-title" mb="xs">
        The last 30 days
      </Title>
      {counts.isPending ? (
        <Loading label="Loading the counts" />
      ) : counts.isError || counts.data === null ? (
        <Text size="sm" c="dimmed">
          No counts to show.
        </Text>
      ) : (
        <>
          <Text size="sm" mb="xs">
            {formatNumber(counts.data.days.reduce((n, d) => n + d.views, 0))} views and{' '}
            {formatNumber(counts.data.days.reduce((n, d) => n + d.submissions, 0))} submissions (since it was made:{' '}
            {formatNumber(counts.data.total.views)} and {formatNumber(counts.data.total.submissions)}). Counted per day, without knowing
            who.
          </Text>
          {busy.length > 0 && (
            <TableScroll label="Views and submissions per day" minWidth={300}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Day</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Views
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Submissions
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {busy.map((d) => (
                    <Table.Tr key={d.day}>
                      <Table.Td>{formatDate(`${d.day}T12:00:00Z`)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(d.views)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(d.submissions)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
          )}
        </>
      )}
    </Paper>
  );
}
