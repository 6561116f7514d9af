import { Anchor, Badge, Button, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatDate, formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { leadsApi, STATUS_COLOR, statusWords } from '../leads/leads.api';

/** The contact's leads (sales opportunities about them), each linking to its page and scores. */
export function ContactLeads({ contactId }: { contactId: string }) {
  const { can } = useRights();
  const leads = useQuery({ queryKey: ['leads', { contactId }], queryFn: () => leadsApi.list({ contactId, limit: 100 }) });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="leads-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="leads-title">
          Leads
        </Title>
        {leads.isPending ? (
          <Loading label="Loading the leads" />
        ) : leads.isError ? (
          <ErrorState error={leads.error} retry={() => void leads.refetch()} title="Could not load the leads" />
        ) : leads.data.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No leads about this contact.
          </Text>
        ) : (
          <TableScroll label="This contact’s leads" minWidth={480}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Lead</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Value
                  </Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {leads.data.data.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/leads/${l.id}`} size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {l.title}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="dot" color={STATUS_COLOR[l.status] ?? 'gray'} tt="none">
                        {statusWords(l.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(l.value)}</Table.Td>
                    <Table.Td>{formatDate(l.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
        {can('leads', 'write') && (
          <Button component={Link} to={`/leads/new?contact=${contactId}`} variant="default" size="xs" style={{ alignSelf: 'flex-start' }}>
            New lead for this contact
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
