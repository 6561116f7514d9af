import { Anchor, Button, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDate, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { ListForm } from './ListForm';

export function ListsIndex() {
  const { can } = useRights();
  const mayWrite = can('lists', 'write');
  const navigate = useNavigate();
  const paging = useCursor();
  const [creating, setCreating] = useState(false);
  const lists = useQuery({
    queryKey: ['lists', paging.cursor],
    queryFn: () =>
      call(api.GET('/api/v1/lists', { params: { query: { limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const create = mayWrite ? <Button onClick={() => setCreating(true)}>New list</Button> : null;
  return (
    <Page
      title="Lists"
      description="Subscription lists people join and leave. Each join and leave is recorded in the person’s consent history."
      actions={lists.data?.data.length ? create : null}
    >
      {lists.isPending ? (
        <Loading label="Loading the lists" />
      ) : lists.isError ? (
        <ErrorState error={lists.error} retry={() => void lists.refetch()} />
      ) : lists.data.data.length === 0 ? (
        <EmptyState title="No lists yet" action={create}>
          A list is a topic people subscribe to, such as a monthly newsletter or product news.{' '}
          {mayWrite ? 'Create the first one, then add contacts to it.' : 'An administrator or a marketer can create one.'}
        </EmptyState>
      ) : (
        <>
          <TableScroll minWidth={560} label="Lists, scrollable">
            <Table striped highlightOnHover withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Description</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Members
                  </Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {lists.data.data.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>
                      <Anchor component={Link} to={l.id} fw={500} size="sm">
                        {l.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={l.description ? undefined : 'dimmed'} lineClamp={2}>
                        {l.description ?? 'No description'}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(l.members)}</Table.Td>
                    <Table.Td>{formatDate(l.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <Pager paging={paging} next={lists.data.page.next} total={lists.data.page.total} noun="lists" />
        </>
      )}
      {creating && <ListForm opened onClose={() => setCreating(false)} onSaved={(l) => navigate(l.id)} />}
    </Page>
  );
}
