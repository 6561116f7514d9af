import { Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { formatDateTime, formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';

const STORAGE: Record<string, string> = {
  pending: 'Removal from the database files pending',
  purged: 'Removed from the database files',
  failed: 'Removal from the database files failed',
};

/** The proof of the case's erasure: what went, table by table, and whether anything remains. */
export function ErasureReceipts({ requestId }: { requestId: string }) {
  const receipts = useQuery({
    queryKey: ['erasures', requestId],
    queryFn: () => call(api.GET('/api/v1/erasures', { params: { query: { request: requestId } } })),
  });
  if (receipts.isPending) return <Loading label="Loading the erasure receipt" />;
  if (receipts.isError) return <ErrorState error={receipts.error} retry={() => receipts.refetch()} title="Could not load the receipt" />;
  if (receipts.data.data.length === 0) return null;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="receipt-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="receipt-title">
          Erasure receipt
        </Title>
        {receipts.data.data.map((x) => (
          <Stack key={x.id} gap="xs">
            <Text size="sm">
              Erased {formatDateTime(x.at)}.{' '}
              <Badge color={x.complete ? 'green' : 'red'} variant="dot">
                {x.complete ? 'Complete' : 'Not complete: traces remain'}
              </Badge>
            </Text>
            {x.residue && x.residue.length > 0 && (
              <Text size="sm" c="red">
                The person’s identifiers were still found in: {x.residue.join(', ')}. The tasks below say where to look.
              </Text>
            )}
            {x.storage && (
              <Text size="sm" c="dimmed">
                {STORAGE[x.storage.status] ?? x.storage.status}
                {x.storage.purgedAt ? ` (${formatDateTime(x.storage.purgedAt)})` : ''}
              </Text>
            )}
            <Table.ScrollContainer minWidth={320}>
              <Table withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Table</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Rows deleted or anonymised
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {Object.entries(x.tables).map(([table, n]) => (
                    <Table.Tr key={table}>
                      <Table.Td>{table}</Table.Td>
                      <Table.Td ta="right">{formatNumber(n)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}
