import { Anchor, Box, Group, Select, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { type Bounce, bouncesApi } from './bounces.api';
import { type BounceKind, effectWords, KIND_WORDS, statusWords } from './words';

const KIND_COLOR: Record<BounceKind, string> = { hard: 'red', soft: 'yellow', complaint: 'orange' };

/** The kind in words with a coloured dot (the words carry it; a badge's capitals were cut off in a narrow column). */
function KindMark({ kind }: { kind: BounceKind }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Box w={8} h={8} bg={`${KIND_COLOR[kind]}.6`} style={{ borderRadius: '50%', flex: 'none' }} aria-hidden />
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {KIND_WORDS[kind]}
      </Text>
    </Group>
  );
}

const KINDS = [
  { value: 'all', label: 'Everything' },
  { value: 'hard', label: 'Hard bounces' },
  { value: 'soft', label: 'Soft bounces' },
  { value: 'complaint', label: 'Complaints' },
];

/** How reports arrive: said where the list is empty, so an empty list leads somewhere. */
export function HowBouncesArrive() {
  return (
    <>
      Receiving servers send them to the bounce address of your mail. Assent reads them at its own SMTP endpoint (the bounce endpoint
      setting, <code>bounceInbound</code>, in the settings API), or your relay or a mailbox poller hands them over through the API (
      <code>POST /api/v1/bounces</code>).
    </>
  );
}

/** Every bounce and complaint received, newest first, by kind: what it said in words and what it did. */
export function BounceList() {
  const { can } = useRights();
  const [kind, setKind] = useState('all');
  const paging = useCursor();
  const page = useQuery({
    queryKey: ['bounces', kind, paging.cursor],
    queryFn: () =>
      bouncesApi.bounces({
        limit: 50,
        ...(kind !== 'all' ? { kind: kind as Bounce['kind'] } : {}),
        ...(paging.cursor ? { cursor: paging.cursor } : {}),
      }),
    placeholderData: keepPreviousData,
  });
  const contacts = can('contacts');
  let content: ReactNode;
  if (page.isPending) content = <Loading label="Loading bounces and complaints" />;
  else if (page.isError) content = <ErrorState error={page.error} retry={() => void page.refetch()} />;
  else if (page.data.data.length === 0 && paging.page === 1 && kind === 'all')
    content = (
      <EmptyState title="No bounces or complaints yet">
        When a mail cannot be delivered, or its recipient marks it as spam, the report shows here with what Assent did about it.{' '}
        <HowBouncesArrive />
      </EmptyState>
    );
  else if (page.data.data.length === 0) content = <Text size="sm">None of this kind has come back.</Text>;
  else
    content = (
      <>
        <TableScroll label="Bounces and complaints" minWidth={820}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Received</Table.Th>
                <Table.Th scope="col">Kind</Table.Th>
                <Table.Th scope="col">What the server said</Table.Th>
                <Table.Th scope="col">What Assent did</Table.Th>
                <Table.Th scope="col">Address</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.data.data.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>{formatDateTime(b.receivedAt)}</Table.Td>
                  <Table.Td>
                    <KindMark kind={b.kind} />
                  </Table.Td>
                  <Table.Td>
                    {statusWords(b.status)}
                    <Text size="xs" c="dimmed">
                      {b.kind === 'complaint' ? `feedback type ${b.status}` : `code ${b.status}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>{effectWords(b)}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {b.contactId && contacts ? (
                      <Anchor component={Link} to={`/contacts/${b.contactId}`} size="sm">
                        {b.address}
                      </Anchor>
                    ) : (
                      b.address
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <Pager paging={paging} next={page.data.page.next} total={page.data.page.total} noun="reports" />
      </>
    );
  return (
    <>
      <Group mb="md">
        <Select
          label="Show"
          data={KINDS}
          value={kind}
          onChange={(v) => {
            setKind(v ?? 'all');
            paging.reset();
          }}
          allowDeselect={false}
          maw={240}
        />
      </Group>
      {content}
    </>
  );
}
