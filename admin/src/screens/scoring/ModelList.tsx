import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useRights } from '../../api/session';
import { formatDateTime, formatNumber } from '../../ui/format';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { useRequirement } from '../journeys/consent';
import { type Model, scoringApi } from './scoring.api';
import { RECOMPUTE_WORDS } from './words';

const STATE_COLOR: Record<string, string> = { never: 'gray', queued: 'yellow', running: 'blue', done: 'teal', failed: 'red' };

/** A model's scored and sales-ready counts (its distribution: anonymous counts). */
function Counts({ model }: { model: Model }) {
  const d = useQuery({
    queryKey: ['scoring-distribution', model.id, model.recompute.finishedAt],
    queryFn: () => scoringApi.distribution(model.id),
    staleTime: 30_000,
  });
  if (d.isPending) return <Table.Td colSpan={2}>…</Table.Td>;
  if (d.isError)
    return (
      <Table.Td colSpan={2}>
        <Text size="xs">Counts not available</Text>
      </Table.Td>
    );
  return (
    <>
      <Table.Td ta="right">{formatNumber(d.data.scored)}</Table.Td>
      <Table.Td ta="right">{formatNumber(d.data.salesReady)}</Table.Td>
    </>
  );
}

/** Every scoring model: what consent it requires, its rules, its last recompute, and how many leads it scores. */
export function ModelList() {
  const { can } = useRights();
  const writable = can('scoring', 'write');
  const requirement = useRequirement();
  const models = useQuery({
    queryKey: ['scoring-models'],
    queryFn: scoringApi.models,
    // While a recompute runs, its state moves.
    refetchInterval: (q) =>
      q.state.data?.data.some((m) => m.recompute.state === 'queued' || m.recompute.state === 'running') ? 3000 : false,
  });
  const rows = models.data?.data ?? [];
  const create = writable ? (
    <Button component={Link} to="new">
      New model
    </Button>
  ) : null;
  return (
    <Page
      title="Scoring"
      description="Models that score leads by what their contacts did and who they are. Only leads whose contacts agreed are scored."
      actions={rows.length ? create : null}
    >
      {models.isPending ? (
        <Loading label="Loading the models" />
      ) : models.isError ? (
        <ErrorState error={models.error} retry={() => void models.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No scoring models yet" action={create}>
          A model gives a lead points for what its contact did (opened three emails this month) and who they are (works in a country you
          sell to), grades it A to D and marks it sales-ready above a threshold. It scores only leads whose contacts gave the consent it
          requires (profiling, unless you choose otherwise), and each lead can be shown why it scored what it did.
          {writable ? '' : ' A marketer or an administrator can create one.'}
        </EmptyState>
      ) : (
        <TableScroll label="Scoring models" minWidth={820}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Required consent</Table.Th>
                <Table.Th scope="col" ta="right">
                  Rules
                </Table.Th>
                <Table.Th scope="col">Last recompute</Table.Th>
                <Table.Th scope="col" ta="right">
                  Scored leads
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Sales-ready
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>
                    <Anchor component={Link} to={m.id} size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                      {m.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{requirement.words(m.requiredConsent)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(m.rules.length)}</Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={STATE_COLOR[m.recompute.state] ?? 'gray'} tt="none">
                      {RECOMPUTE_WORDS[m.recompute.state] ?? m.recompute.state}
                    </Badge>
                    {m.recompute.finishedAt && (
                      <Text size="xs" c="dimmed">
                        {formatDateTime(m.recompute.finishedAt)}
                      </Text>
                    )}
                  </Table.Td>
                  <Counts model={m} />
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
    </Page>
  );
}
