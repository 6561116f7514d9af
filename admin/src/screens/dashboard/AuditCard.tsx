import { Anchor, Badge, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { useRights, useSession } from '../../api/session';
import { formatDateTime } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { actionInWords } from './auditWords';
import { TableScroll } from '../../ui/TableScroll';
import { Card } from './Card';

/** Staff and keys by id, for roles that may read them (an admin); others see "a user" or "an API key". */
function useActorNames(): (type: string, id: string | null) => string {
  const { can } = useRights();
  const session = useSession().data;
  const readable = can('users');
  const users = useQuery({
    queryKey: ['users', 'names'],
    queryFn: async () => (await call(api.GET('/api/v1/users', { params: { query: { limit: 500 } } }))).data,
    enabled: readable,
    staleTime: 60_000,
  });
  const keys = useQuery({
    queryKey: ['keys', 'names'],
    queryFn: async () => (await call(api.GET('/api/v1/keys', { params: { query: { limit: 500 } } }))).data,
    enabled: readable,
    staleTime: 60_000,
  });
  return (type, id) => {
    if (id && id === session?.principal.id) return 'You';
    if (type === 'user') {
      const u = users.data?.find((x) => x.id === id);
      return u ? (u.name ?? u.email) : 'A user';
    }
    if (type === 'api_key') {
      const k = keys.data?.find((x) => x.id === id);
      return k ? `API key “${k.name}”` : 'An API key';
    }
    if (type === 'requester') return 'The requester';
    if (type === 'cli') return 'The command line';
    return 'Assent';
  };
}

/**
 * Reads of the audit log and of the staff and key lists: what this card itself does on every view
 * (names for the "Who" column), so left out here lest they push everything else off the card.
 */
const OWN_READS = new Set(['audit.view', 'user.list', 'key.list']);
const SHOWN = 10;

/** The latest ten audit entries: who, what in words, when. */
export function AuditCard() {
  const entries = useQuery({
    queryKey: ['audit', 'latest'],
    queryFn: async () =>
      (await call(api.GET('/api/v1/audit', { params: { query: { limit: 100 } } }))).data
        .filter((e) => !OWN_READS.has(e.action))
        .slice(0, SHOWN),
  });
  const actor = useActorNames();
  return (
    <Card
      id="card-audit"
      title="Latest activity"
      action={
        <Anchor component={Link} to="/audit" size="sm">
          Open the audit log
        </Anchor>
      }
    >
      {entries.isPending ? (
        <Loading label="Loading the latest activity" />
      ) : entries.isError ? (
        <ErrorState error={entries.error} retry={() => entries.refetch()} title="Could not load the latest activity" />
      ) : entries.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing recorded yet. Every staff action on personal data is listed here and in the audit log.
        </Text>
      ) : (
        <>
          <Text size="xs" c="dimmed">
            Views of the audit log and of the user and key lists are left out here; the audit log shows everything.
          </Text>
          <TableScroll label="Latest activity, as a table" minWidth={420}>
            <Table verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Who</Table.Th>
                  <Table.Th scope="col">What</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.data.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</Table.Td>
                    <Table.Td>{actor(e.actorType, e.actorId)}</Table.Td>
                    <Table.Td>
                      {actionInWords(e.action)}
                      {e.count !== null && e.count > 1 ? ` (${e.count})` : ''}
                      {e.outcome !== 'ok' && (
                        <Badge ml="xs" size="sm" color={e.outcome === 'denied' ? 'orange.9' : 'red.8'} variant="light">
                          {e.outcome === 'denied' ? 'refused' : e.outcome}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        </>
      )}
    </Card>
  );
}
