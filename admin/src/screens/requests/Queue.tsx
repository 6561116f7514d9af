import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDate, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { LogRequestDialog } from './LogRequestDialog';
import { countdown, formatDeadline, REQUEST_TYPES, STATUS_COLOR, STATUS_LABEL, statusLabel, typeShort } from './words';

const PAGE = 25;
type Due = 'all' | 'overdue' | 'week';
type Status = keyof typeof STATUS_LABEL | 'open' | 'all';

/** The queue: cases by deadline, soonest first, with the filters a privacy officer works by. */
export function Queue() {
  const { can } = useRights();
  const [status, setStatus] = useState<Status>('open');
  const [type, setType] = useState<string>('all');
  const [due, setDue] = useState<Due>('all');
  // Cursor paging: the cursors of the pages before, to go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [logging, setLogging] = useState(false);
  const cursor = cursors[cursors.length - 1];
  const reset = () => setCursors([undefined]);

  const query = {
    limit: PAGE,
    sort: 'deadline' as const,
    ...(cursor ? { cursor } : {}),
    ...(status === 'open' ? { open: true } : status === 'all' ? {} : { status: status as 'received' }),
    ...(type !== 'all' ? { type: type as 'access' } : {}),
    ...(due === 'overdue' ? { overdue: true } : due === 'week' ? { dueWithin: 7 } : {}),
  };
  const list = useQuery({
    queryKey: ['requests', 'queue', query],
    queryFn: () => call(api.GET('/api/v1/requests', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const filtered = status !== 'open' || type !== 'all' || due !== 'all';

  const logAction = can('requests', 'write') ? <Button onClick={() => setLogging(true)}>Log a request</Button> : undefined;

  return (
    <Page
      title="Data requests"
      description="People asking to see, take away, correct or erase their data, or to object. Answer each before its deadline."
      actions={logAction}
    >
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          label="Status"
          value={status}
          onChange={(v) => {
            setStatus((v ?? 'open') as Status);
            reset();
          }}
          allowDeselect={false}
          data={[
            { value: 'open', label: 'Open (not closed)' },
            ...Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label })),
            { value: 'all', label: 'All' },
          ]}
          w={220}
        />
        <Select
          label="Type"
          value={type}
          onChange={(v) => {
            setType(v ?? 'all');
            reset();
          }}
          allowDeselect={false}
          data={[{ value: 'all', label: 'All types' }, ...REQUEST_TYPES.map((t) => ({ value: t, label: typeShort(t) }))]}
          w={180}
        />
        <Select
          label="Due"
          value={due}
          onChange={(v) => {
            setDue((v ?? 'all') as Due);
            reset();
          }}
          allowDeselect={false}
          data={[
            { value: 'all', label: 'Any deadline' },
            { value: 'overdue', label: 'Overdue' },
            { value: 'week', label: 'Due within 7 days' },
          ]}
          w={180}
        />
      </Group>

      {list.isPending ? (
        <Loading label="Loading requests" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => list.refetch()} title="Could not load the requests" />
      ) : list.data.data.length === 0 ? (
        filtered ? (
          <EmptyState
            title="No requests match"
            action={
              <Button
                variant="default"
                onClick={() => {
                  setStatus('all');
                  setType('all');
                  setDue('all');
                  reset();
                }}
              >
                Show all requests
              </Button>
            }
          >
            No request has this status, type and deadline.
          </EmptyState>
        ) : (
          <EmptyState title="No open data requests" action={logAction}>
            Requests arrive from the request form on your website, which sends them to Assent’s public intake (people then confirm their
            address by an emailed link), or through the API. A request received by post, phone or in person is entered here with “Log a
            request”.
          </EmptyState>
        )
      ) : (
        <Stack gap="xs">
          <Text size="sm" c="dimmed" aria-live="polite">
            {formatNumber(list.data.page.total)} {list.data.page.total === 1 ? 'request' : 'requests'}, soonest deadline first
          </Text>
          <Table.ScrollContainer minWidth={760}>
            <Table striped={false} highlightOnHover verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Requester</Table.Th>
                  <Table.Th scope="col">Deadline</Table.Th>
                  <Table.Th scope="col">Type</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Received</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.data.map((r) => (
                  <Table.Tr key={r.id} data-overdue={r.overdue || undefined}>
                    <Table.Td style={r.overdue ? { boxShadow: 'inset 4px 0 0 var(--mantine-color-red-filled)' } : undefined}>
                      <Anchor component={Link} to={r.id} style={{ overflowWrap: 'anywhere' }}>
                        {r.email ?? 'Erased requester'}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Deadline deadline={r.deadline} daysLeft={r.daysLeft} overdue={r.overdue} />
                    </Table.Td>
                    <Table.Td>{typeShort(r.type)}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[r.status] ?? 'gray'} variant="dot">
                        {statusLabel(r.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{formatDate(r.receivedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" size="xs" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </Button>
            <Button
              variant="default"
              size="xs"
              disabled={!list.data.page.next}
              onClick={() => setCursors((c) => [...c, list.data.page.next ?? undefined])}
            >
              Next page
            </Button>
          </Group>
        </Stack>
      )}
      {logging && <LogRequestDialog onClose={() => setLogging(false)} />}
    </Page>
  );
}

/** The deadline and its countdown; overdue in words and colour both. */
export function Deadline({ deadline, daysLeft, overdue }: { deadline: string; daysLeft: number | null; overdue: boolean }) {
  const left = countdown(daysLeft);
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {formatDeadline(deadline)}
      </Text>
      {left && (
        <Badge
          color={overdue ? 'red' : daysLeft !== null && daysLeft <= 7 ? 'orange' : 'gray'}
          variant={overdue ? 'filled' : 'dot'}
          tt="none"
          style={{ whiteSpace: 'nowrap' }}
        >
          {left}
        </Badge>
      )}
    </Group>
  );
}
