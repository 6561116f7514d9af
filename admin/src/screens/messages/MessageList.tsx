import { Anchor, Button, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { useConsentLevels, useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { emailApi, useListsAndSegments } from '../../ui/email/api';
import { EMAIL_AREA } from '../../ui/email/area';
import { purposeWords } from '../../ui/email/words';
import { formatDateTime } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';

/** Every message, newest change first, searchable by name (the search stays in this screen, not the URL). */
export function MessageList() {
  const { can } = useRights();
  const levels = useConsentLevels();
  const levelName = useLevelName();
  const { lists } = useListsAndSegments();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const paging = useCursor();
  const page = useQuery({
    queryKey: ['messages', q, paging.cursor],
    queryFn: () => emailApi.messages({ limit: 50, ...(q ? { q } : {}), ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const newButton = can(EMAIL_AREA, 'write') ? (
    <Button component={Link} to="new">
      New message
    </Button>
  ) : null;
  let content: ReactNode;
  if (page.isPending) content = <Loading label="Loading messages" />;
  else if (page.isError) content = <ErrorState error={page.error} retry={() => void page.refetch()} />;
  else if (page.data.data.length === 0 && paging.page === 1 && q === '')
    content = (
      <EmptyState title="No messages yet" action={newButton}>
        A message is an email with a purpose: the consent each recipient must have given. Design it with blocks or write its HTML, preview
        it as one of your contacts, then send it to a segment as a campaign.
      </EmptyState>
    );
  else
    content = (
      <>
        {page.data.data.length === 0 ? (
          <Text size="sm">No message is named like that.</Text>
        ) : (
          <TableScroll label="Messages" minWidth={720}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Purpose</Table.Th>
                  <Table.Th scope="col">List</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.data.data.map((m) => {
                  const level = levels.data?.purposes[m.purpose];
                  return (
                    <Table.Tr key={m.id}>
                      <Table.Td>
                        <Anchor component={Link} to={m.id} size="sm" style={{ overflowWrap: 'anywhere' }}>
                          {m.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        {purposeWords(m.purpose)}
                        {level !== undefined && (
                          <Text size="xs" c="dimmed">
                            needs {levelName(level)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>
                        {m.listId ? (lists.data?.find((l) => l.id === m.listId)?.name ?? 'a deleted list') : '—'}
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{m.subject}</Table.Td>
                      <Table.Td>{formatDateTime(m.updatedAt)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
        <Pager paging={paging} next={page.data.page.next} total={page.data.page.total} noun="messages" />
      </>
    );
  return (
    <Page
      title="Messages"
      description="Emails and their purposes. Each recipient’s consent is checked when a message is sent."
      actions={newButton}
    >
      <Group>
        <TextInput
          label="Search by name"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            paging.reset();
          }}
          maw={360}
          style={{ flex: '1 1 240px' }}
        />
      </Group>
      {content}
    </Page>
  );
}
