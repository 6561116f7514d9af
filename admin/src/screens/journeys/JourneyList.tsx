import { Anchor, Badge, Button, Table } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { Pager, useCursor } from '../../ui/Pager';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { useRequirement } from './consent';
import { journeysApi } from './types';
import { stateWords } from './words';

/** Every journey: its state, the consent it requires, how many are in it, finished, left early and reached its goal. */
export function JourneyList() {
  const { can } = useRights();
  const writable = can('journeys', 'write');
  const requirement = useRequirement();
  const paging = useCursor();
  const journeys = useQuery({
    queryKey: ['journeys', paging.cursor],
    queryFn: () => journeysApi.list(paging.cursor),
    placeholderData: keepPreviousData,
    // While one runs, its counts move.
    refetchInterval: (q) => (q.state.data?.data.some((j) => j.state === 'live') ? 5000 : false),
  });
  const rows = journeys.data?.data ?? [];
  const create = (label: string) =>
    writable ? (
      <Button component={Link} to="new">
        {label}
      </Button>
    ) : null;
  return (
    <Page
      title="Journeys"
      description="Steps that act on contacts over days and weeks. Consent is asked before every step."
      actions={rows.length ? create('New journey') : null}
    >
      {journeys.isPending ? (
        <Loading label="Loading the journeys" />
      ) : journeys.isError ? (
        <ErrorState error={journeys.error} retry={() => void journeys.refetch()} />
      ) : rows.length === 0 && paging.page === 1 ? (
        <EmptyState title="No journeys yet" action={create('New journey')}>
          A journey takes contacts through steps you draw: a welcome email, a wait of two days, a follow-up for those who did not open it.
          It requires a consent level, and a contact whose consent falls leaves at its next step.
          {writable ? '' : ' A marketer or an administrator can create one.'}
        </EmptyState>
      ) : (
        <TableScroll label="Journeys" minWidth={860}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Required consent</Table.Th>
                <Table.Th scope="col" ta="right">
                  In the journey
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Finished
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Left early
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Reached the goal
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((j) => {
                const s = stateWords(j.state);
                return (
                  <Table.Tr key={j.id}>
                    <Table.Td>
                      <Anchor component={Link} to={j.id} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                        {j.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="dot" color={s.color}>
                        {s.label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{requirement.words(j.requiredConsent)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(j.counts?.inJourney)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(j.counts?.done)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(j.counts?.exited)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(j.counts?.converted)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      {journeys.data?.page && <Pager paging={paging} next={journeys.data.page.next} total={journeys.data.page.total} noun="journeys" />}
    </Page>
  );
}
