import { Anchor, Button, Group, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { useLevelName } from '../../api/consent';
import { formatNumber } from '../../ui/format';
import { EmptyState, ErrorState, Loading } from '../../ui/states';

const PAGE = 25;

export interface Picked {
  id: string;
  email: string;
}

/** The saved segment's members, paged (each page is an audit entry on the server), with "why" per member. */
export function Members({ segmentId, onWhy }: { segmentId: string; onWhy: (c: Picked) => void }) {
  const levelName = useLevelName();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['segment-members', segmentId, cursor],
    queryFn: () =>
      call(
        api.GET('/api/v1/segments/{id}/members', {
          params: { path: { id: segmentId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
    retry: false,
  });
  let body: ReactNode;
  if (page.isPending) body = <Loading label="Loading members" />;
  else if (page.isError) body = <ErrorState error={page.error} retry={() => void page.refetch()} title="Could not list the members" />;
  else if (page.data.data.length === 0)
    body = (
      <EmptyState title="No members">
        No contact matches the saved filter{cursors.length > 1 ? ' on this page' : ''}. Change the conditions above and save, or take a new
        snapshot of a static segment.
      </EmptyState>
    );
  else {
    const first = (cursors.length - 1) * PAGE + 1;
    body = (
      <>
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Email</Table.Th>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Consent level</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>Explanation</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.data.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} to={`/contacts/${c.id}`} size="sm">
                      {c.email}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{[c.firstName, c.lastName].filter(Boolean).join(' ') || '—'}</Table.Td>
                  <Table.Td>{levelName(c.consentLevel)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      aria-label={`Why is ${c.email} in it?`}
                      onClick={() => onWhy({ id: c.id, email: c.email })}
                    >
                      Why?
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {formatNumber(first)}–{formatNumber(first + page.data.data.length - 1)} of {formatNumber(page.data.page.total)}
          </Text>
          <Group gap="xs">
            <Button variant="default" size="xs" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </Button>
            <Button
              variant="default"
              size="xs"
              disabled={!page.data.page.next}
              onClick={() => setCursors((c) => [...c, page.data?.page.next ?? undefined])}
            >
              Next page
            </Button>
          </Group>
        </Group>
      </>
    );
  }
  return (
    <section aria-labelledby="members-title">
      <Title order={2} size="h3" id="members-title" mb="sm">
        Members
      </Title>
      {body}
    </section>
  );
}
