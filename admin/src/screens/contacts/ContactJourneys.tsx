import { Anchor, Badge, Button, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { type ContactJourney, journeysApi } from '../journeys/types';
import { outcomeWords, positionWords, reasonWords, tileTypeWords } from '../journeys/words';

/** The steps a contact took in one journey: each tile by its name and type, when, and what came of it. */
function PathSteps({ row, contactId }: { row: ContactJourney; contactId: string }) {
  const path = useQuery({
    queryKey: ['journey-path', row.journeyId, contactId],
    queryFn: () => journeysApi.path(row.journeyId, contactId),
  });
  const journey = useQuery({ queryKey: ['journey', row.journeyId], queryFn: () => journeysApi.journey(row.journeyId), retry: false });
  const tileName = (id: string, type: string | null) => {
    const t = journey.data?.tiles.find((x) => x.id === id);
    if (!t && !type) return 'A step since removed';
    return t?.title ? `${t.title} (${tileTypeWords(t.type)})` : tileTypeWords(t?.type ?? type ?? '');
  };
  if (path.isPending) return <Loading label="Loading the path" />;
  if (path.isError) return <ErrorState error={path.error} retry={() => path.refetch()} title="Could not load the path" />;
  if (!path.data)
    return (
      <Text size="sm" c="dimmed">
        No path recorded.
      </Text>
    );
  const p = path.data;
  return (
    <Stack gap="xs">
      <Text size="sm">
        Entered {formatDateTime(p.enteredAt)}
        {p.entry > 1 ? ` (time ${p.entry})` : ''}.{' '}
        {p.status === 'waiting' || p.status === 'active'
          ? `Now at ${tileName(p.tileId, '')}${p.dueAt ? `, moving on ${formatDateTime(p.dueAt)}` : ''}.`
          : `${positionWords(p.status).label}${p.endedAt ? ` ${formatDateTime(p.endedAt)}` : ''}${
              p.exitReason ? `: ${reasonWords(p.exitReason)}` : ''
            }.`}
      </Text>
      {p.steps.length > 0 && (
        <TableScroll label={`Steps in ${row.name}`} minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Step</Table.Th>
                <Table.Th scope="col">What came of it</Table.Th>
                <Table.Th scope="col">When</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.steps.map((s) => (
                <Table.Tr key={`${s.entry}:${s.visit}`}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{tileName(s.tileId, s.tileType)}</Table.Td>
                  <Table.Td>
                    {outcomeWords(s.outcome)}
                    {s.reason ? `: ${reasonWords(s.reason)}` : ''}
                  </Table.Td>
                  <Table.Td>{formatDateTime(s.at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
    </Stack>
  );
}

/** Where a contact in a journey is now: the tile by its name and type (the journey's, cached for the path too). */
function AtTile({ row }: { row: ContactJourney }) {
  const journey = useQuery({ queryKey: ['journey', row.journeyId], queryFn: () => journeysApi.journey(row.journeyId), retry: false });
  const t = journey.data?.tiles.find((x) => x.id === row.tileId);
  if (!t) return null;
  return (
    <Text size="xs" mt={2} style={{ overflowWrap: 'anywhere' }}>
      at {t.title ? `“${t.title}” (${tileTypeWords(t.type)})` : tileTypeWords(t.type)}
    </Text>
  );
}

/** The journeys this contact is in or went through, each with its path on request. */
export function ContactJourneys({ contactId }: { contactId: string }) {
  const journeys = useQuery({ queryKey: ['contact-journeys', contactId], queryFn: () => journeysApi.ofContact(contactId) });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="journeys-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="journeys-title">
          Journeys
        </Title>
        {journeys.isPending ? (
          <Loading label="Loading journeys" />
        ) : journeys.isError ? (
          <ErrorState error={journeys.error} retry={() => journeys.refetch()} title="Could not load the journeys" />
        ) : !journeys.data?.length ? (
          <Text size="sm" c="dimmed">
            This contact has not been in a journey.
          </Text>
        ) : (
          <TableScroll label="This contact’s journeys" minWidth={600}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Journey</Table.Th>
                  <Table.Th scope="col">Where</Table.Th>
                  <Table.Th scope="col">Entered</Table.Th>
                  <Table.Th scope="col">Path</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {journeys.data.map((j) => {
                  const s = positionWords(j.status);
                  const key = `${j.journeyId}:${j.entry}`;
                  return (
                    <Fragment key={key}>
                      <Table.Tr>
                        <Table.Td>
                          <Anchor component={Link} to={`/journeys/${j.journeyId}`} size="sm" style={{ overflowWrap: 'anywhere' }}>
                            {j.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          <Badge variant="dot" color={s.color}>
                            {s.label}
                          </Badge>
                          {j.exitReason && (
                            <Text size="xs" mt={2}>
                              {reasonWords(j.exitReason)}
                            </Text>
                          )}
                          {(j.status === 'active' || j.status === 'waiting') && <AtTile row={j} />}
                        </Table.Td>
                        <Table.Td>
                          {formatDateTime(j.enteredAt)}
                          {j.endedAt && (
                            <Text size="xs" c="dimmed">
                              ended {formatDateTime(j.endedAt)}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Button
                            size="compact-xs"
                            variant="default"
                            aria-expanded={open === key}
                            aria-label={`${open === key ? 'Hide steps' : 'Show steps'} in ${j.name}`}
                            onClick={() => setOpen(open === key ? null : key)}
                          >
                            {open === key ? 'Hide steps' : 'Show steps'}
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                      {open === key && (
                        <Table.Tr>
                          <Table.Td colSpan={4}>
                            <PathSteps row={j} contactId={contactId} />
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Stack>
    </Paper>
  );
}
