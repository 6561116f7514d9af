import { Alert, Button, Group, Modal, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useRights } from '../../api/session';
import { EMAIL_AREA } from '../../ui/email/area';
import { formatDateTime } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, errorMessage, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { HowBouncesArrive } from './BounceList';
import { type Undeliverable, bouncesApi } from './bounces.api';
import { statusWords } from './words';

/**
 * The addresses nothing more is sent to, searchable (the text stays in this screen, not the URL),
 * each with why; a role that may write allows one again after saying yes to what that does.
 */
export function UndeliverableList() {
  const { can } = useRights();
  const canWrite = can(EMAIL_AREA, 'write');
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const paging = useCursor();
  const [asking, setAsking] = useState<Undeliverable | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const page = useQuery({
    queryKey: ['undeliverable', q, paging.cursor],
    queryFn: () => bouncesApi.undeliverable({ limit: 50, ...(q ? { q } : {}), ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const clear = useMutation({
    mutationFn: (u: Undeliverable) => bouncesApi.clear(u.address),
    onSuccess: (r, u) => {
      setAsking(null);
      setDone(
        r.cleared
          ? `Mail goes to ${u.address} again.`
          : `${u.address} was no longer on the list: someone allowed it already. Nothing was changed.`,
      );
      void queryClient.invalidateQueries({ queryKey: ['undeliverable'] });
    },
  });
  const ask = (u: Undeliverable) => {
    clear.reset();
    setDone(null);
    setAsking(u);
  };

  let content: ReactNode;
  if (page.isPending) content = <Loading label="Loading undeliverable addresses" />;
  else if (page.isError) content = <ErrorState error={page.error} retry={() => void page.refetch()} />;
  else if (page.data.data.length === 0 && paging.page === 1 && q === '')
    content = (
      <EmptyState title="No undeliverable addresses">
        An address comes here when a hard bounce says it does not work — no such mailbox, the mailbox disabled, no such domain — and Assent
        then sends nothing more to it. A full mailbox or a spam block does not put it here. <HowBouncesArrive />
      </EmptyState>
    );
  else
    content = (
      <>
        {page.data.data.length === 0 ? (
          <Text size="sm">No undeliverable address contains that text.</Text>
        ) : (
          <TableScroll label="Undeliverable addresses" minWidth={canWrite ? 720 : 560}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Address</Table.Th>
                  <Table.Th scope="col">Why</Table.Th>
                  <Table.Th scope="col">Since</Table.Th>
                  {canWrite && (
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.data.data.map((u) => (
                  <Table.Tr key={u.bounceId ?? u.address}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{u.address}</Table.Td>
                    <Table.Td>
                      {statusWords(u.status)}
                      {u.status && (
                        <Text size="xs" c="dimmed">
                          code {u.status}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(u.since)}</Table.Td>
                    {canWrite && (
                      <Table.Td>
                        <Button size="xs" variant="default" onClick={() => ask(u)}>
                          Allow sending again<VisuallyHidden> to {u.address}</VisuallyHidden>
                        </Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
        <Pager paging={paging} next={page.data.page.next} total={page.data.page.total} noun="addresses" />
      </>
    );

  return (
    <Stack gap="md">
      <Group>
        <TextInput
          label="Search addresses"
          description="Any part of the address, in any case"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            paging.reset();
          }}
          maw={360}
          style={{ flex: '1 1 240px' }}
        />
      </Group>
      {done && (
        <Notice color="teal" role="status" title="Done" withCloseButton onClose={() => setDone(null)}>
          {done}
        </Notice>
      )}
      {content}
      <Modal
        opened={asking !== null}
        onClose={() => setAsking(null)}
        title="Allow sending to this address again?"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {asking && (
          <Stack gap="sm">
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              Assent stopped sending to <strong>{asking.address}</strong> because the receiving server said:{' '}
              {statusWords(asking.status).toLowerCase()}.
            </Text>
            <Text size="sm">
              Allow it only if you know the mailbox works now. The address is taken off this list and the next message goes to it; if it
              bounces hard again, it comes back here. The bounce records stay.
            </Text>
            {clear.isError && (
              <Alert color="red" role="alert" title="Not done">
                {errorMessage(clear.error)} Try again, or close this and reload the list.
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)}>
                Keep it blocked
              </Button>
              <Button loading={clear.isPending} onClick={() => clear.mutate(asking)}>
                Allow sending again
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
