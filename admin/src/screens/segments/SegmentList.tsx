import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { fromJson, leafCount } from './filterTree';
import { useVocabulary, type Vocabulary } from './vocabulary';
import { conditionWords } from './words';

const PAGE = 50;

/** What a filter selects, in a few words: its one condition, or how many it combines. */
function summary(filter: unknown, vocab: Vocabulary): string {
  const t = fromJson(filter);
  if (t.kind === 'and' || t.kind === 'or') {
    const n = leafCount(t);
    if (t.children.length === 1 && n === 1) return conditionWords(t.children[0]!, vocab);
    return `${t.kind === 'and' ? 'All' : 'Any'} of ${n} conditions`;
  }
  if (t.kind === 'not') return `Not: ${leafCount(t)} condition${leafCount(t) === 1 ? '' : 's'}`;
  return conditionWords(t, vocab);
}

/** Members now, asked per row when the row shows (a count runs the segment's query). */
function MemberCount({ id }: { id: string }) {
  const count = useQuery({
    queryKey: ['segment-count', id],
    queryFn: async () => (await call(api.GET('/api/v1/segments/{id}/count', { params: { path: { id } } }))).data.count,
    retry: false,
  });
  if (count.isPending) return <Text size="sm">counting…</Text>;
  if (count.isError) return <Text size="sm">cannot be counted</Text>;
  return <>{formatNumber(count.data)}</>;
}

export function SegmentList() {
  const { can } = useRights();
  const vocab = useVocabulary();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['segments', cursor],
    queryFn: () => call(api.GET('/api/v1/segments', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const newButton = can('segments', 'write') ? (
    <Button component={Link} to="new">
      New segment
    </Button>
  ) : null;
  let content: ReactNode;
  if (page.isPending) content = <Loading label="Loading segments" />;
  else if (page.isError) content = <ErrorState error={page.error} retry={() => void page.refetch()} />;
  else if (page.data.data.length === 0 && cursors.length === 1)
    content = (
      <EmptyState title="No segments yet" action={newButton}>
        A segment picks contacts by their fields, consent, lists and behaviour, such as “opened an email in the last 30 days and allows
        marketing”. {newButton ? 'Start with a new segment.' : 'Someone who may edit segments can make the first one.'}
      </EmptyState>
    );
  else {
    const rows = page.data.data;
    content = (
      <>
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">What it selects</Table.Th>
                <Table.Th scope="col">Kind</Table.Th>
                <Table.Th scope="col" ta="right">
                  Members
                </Table.Th>
                <Table.Th scope="col">Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={s.id} size="sm" style={{ overflowWrap: 'anywhere' }}>
                      {s.name}
                    </Anchor>
                    {s.description && (
                      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                        {s.description}
                      </Text>
                    )}
                    {s.flagged && (
                      <Badge ml="xs" color="orange" variant="light">
                        flagged by an erasure
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{summary(s.filter, vocab)}</Table.Td>
                  <Table.Td>
                    {s.kind === 'static' ? (
                      <Badge variant="light" color="grape">
                        static snapshot
                      </Badge>
                    ) : (
                      <Badge variant="light">dynamic</Badge>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <MemberCount id={s.id} />
                  </Table.Td>
                  <Table.Td>{formatDateTime(s.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {formatNumber(page.data.page.total)} segment{page.data.page.total === 1 ? '' : 's'}
          </Text>
          <Group gap="xs" display={cursors.length === 1 && !page.data.page.next ? 'none' : undefined}>
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
    <Page
      title="Segments"
      description={
        'Audiences picked by a filter over contacts. Dynamic segments are always current; ' +
        'static ones keep the members of their last snapshot.'
      }
      actions={newButton}
    >
      {content}
    </Page>
  );
}
