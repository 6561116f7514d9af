import { Alert, Anchor, Badge, Code, Group, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { TableScroll } from '../../ui/TableScroll';
import { Page } from '../../ui/Page';
import { ShowMore } from '../../ui/ShowMore';
import { EmptyState, ErrorState, Loading } from '../../ui/states';

/** An alert's title in the text colour: yellow on its light background falls short of contrast. */
const READABLE = { title: { color: 'var(--mantine-color-text)' } };

/** Whether a relay is set: the outbox only fills while none is. */
function useRelay() {
  const { can } = useRights();
  return useQuery({
    queryKey: ['settings'],
    queryFn: async () => (await call(api.GET('/api/v1/settings'))).data,
    enabled: can('settings', 'read'),
    staleTime: 30_000,
  });
}

function RelayNote() {
  const relay = useRelay();
  if (!relay.data) return null;
  return relay.data.smtp ? (
    <Alert color="blue" role="status" title="An SMTP relay is set" styles={READABLE}>
      New messages go to the relay ({relay.data.smtp.host}) and are no longer kept here. What is below was kept before it was set.
    </Alert>
  ) : (
    <Alert color="yellow" role="status" title="No SMTP relay is set: nothing is being sent" styles={READABLE}>
      Assent keeps every message here instead of sending it, for development and demos. Set a relay under{' '}
      <Anchor component={Link} to="/settings" c="inherit" underline="always">
        Settings
      </Anchor>{' '}
      to deliver mail.
    </Alert>
  );
}

function Messages() {
  const list = useInfiniteQuery({
    queryKey: ['outbox'],
    queryFn: ({ pageParam }) =>
      call(api.GET('/api/v1/outbox', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.next ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.data) ?? [];
  const first = list.data?.pages[0]?.page;
  return (
    <Page
      title="Outbox"
      description={
        'Messages Assent would have sent while no SMTP relay is set, ' +
        'newest first. Links that carry a token are shown redacted, so ' +
        'reading a message never lets you act as its recipient. Messages are deleted after 30 days.'
      }
    >
      <RelayNote />
      {list.isPending ? (
        <Loading label="Loading the outbox" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="The outbox is empty">
          Messages land here when Assent sends mail without a relay: a data request’s confirmation, for instance. Submit a request on the
          public request page to see one.
        </EmptyState>
      ) : (
        <>
          <TableScroll label="Kept messages" minWidth={640}>
            <Table striped highlightOnHover aria-label="Kept messages">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">To</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">Kept at</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{m.to}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      <Anchor component={Link} to={m.id}>
                        {m.subject || '(no subject)'}
                      </Anchor>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(m.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
          <ShowMore
            noun="messages"
            shown={items.length}
            total={first?.total}
            estimate={first?.totalIsEstimate}
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onMore={() => void list.fetchNextPage()}
          />
        </>
      )}
    </Page>
  );
}

/**
 * One message. The text is React text; the HTML part is never put into the console's page: it is
 * shown in a sandboxed frame with no scripts (`sandbox=""`: no scripts, forms or same origin) or
 * as source.
 */
function Message() {
  const { id } = useParams();
  const [view, setView] = useState<'text' | 'html' | 'source'>('text');
  const msg = useQuery({
    queryKey: ['outbox', id],
    queryFn: async () => (await call(api.GET('/api/v1/outbox/{id}', { params: { path: { id: id! } } }))).data,
  });
  const m = msg.data;
  const views = [
    ...(m?.text !== null ? [{ value: 'text', label: 'Text' }] : []),
    ...(m?.html !== null
      ? [
          { value: 'html', label: 'HTML' },
          { value: 'source', label: 'HTML source' },
        ]
      : []),
  ];
  const current = views.some((v) => v.value === view) ? view : (views[0]?.value as typeof view | undefined);
  return (
    <Page
      title={m ? m.subject || '(no subject)' : 'Message'}
      actions={
        <Anchor component={Link} to=".." relative="path" size="sm">
          Back to the outbox
        </Anchor>
      }
    >
      {msg.isPending ? (
        <Loading label="Loading the message" />
      ) : msg.isError ? (
        <ErrorState error={msg.error} retry={() => void msg.refetch()} />
      ) : (
        m && (
          <Stack gap="sm">
            <Paper withBorder p="sm" radius="md">
              <Group gap="lg" wrap="wrap">
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  <strong>To:</strong> {m.to}
                </Text>
                <Text size="sm">
                  <strong>Kept at:</strong> {formatDateTime(m.createdAt)}
                </Text>
                <Badge variant="filled" color="gray.7">
                  not sent
                </Badge>
              </Group>
            </Paper>
            {views.length > 1 && (
              <SegmentedControl
                aria-label="Show the message as"
                data={views}
                value={current ?? 'text'}
                onChange={(v) => setView(v as typeof view)}
                w="fit-content"
              />
            )}
            <Title order={2} size="h4">
              {current === 'html' ? 'HTML (shown without scripts)' : current === 'source' ? 'HTML source' : 'Text'}
            </Title>
            {current === 'html' ? (
              <iframe
                title="The message’s HTML, without scripts"
                sandbox=""
                srcDoc={m.html ?? ''}
                style={{ width: '100%', minHeight: 480, border: '1px solid var(--mantine-color-default-border)', background: 'white' }}
              />
            ) : (
              <Code
                block
                tabIndex={0}
                aria-label={current === 'source' ? 'HTML source' : 'Message text'}
                style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
              >
                {current === 'source' ? m.html : m.text}
              </Code>
            )}
          </Stack>
        )
      )}
    </Page>
  );
}

export default function Outbox() {
  return (
    <Routes>
      <Route index element={<Messages />} />
      <Route path=":id" element={<Message />} />
    </Routes>
  );
}
