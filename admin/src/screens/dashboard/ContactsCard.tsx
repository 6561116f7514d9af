import { BarChart } from '@mantine/charts';
import { Button, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { useLevelName } from '../../api/consent';
import { useRights } from '../../api/session';
import { formatNumber } from '../../ui/format';
import { EmptyState, ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { Card } from './Card';

export function useContactTotals(enabled = true) {
  return useQuery({
    queryKey: ['stats', 'contacts'],
    enabled,
    queryFn: async () => (await call(api.GET('/api/v1/stats/contacts'))).data,
  });
}

/** Where a new installation starts: the first actions the role may take. */
export function FirstSteps() {
  const { can } = useRights();
  const actions = [
    can('contacts', 'write') && (
      <Button key="add" component={Link} to="/contacts">
        Add a contact
      </Button>
    ),
    can('contacts', 'write') && (
      <Button key="import" component={Link} to="/imports" variant="default">
        Import a spreadsheet
      </Button>
    ),
    can('segments', 'write') && (
      <Button key="segment" component={Link} to="/segments" variant="default">
        Build a segment
      </Button>
    ),
  ].filter(Boolean);
  return (
    <EmptyState title="No contacts yet" action={actions.length ? <Group gap="xs">{actions}</Group> : undefined}>
      {actions.length
        ? 'Start by adding contacts one by one or importing a spreadsheet, then group them into segments. ' +
          'Their consent levels will show here.'
        : 'Once contacts are added or imported, their consent levels will show here.'}
    </EmptyState>
  );
}

/** Contacts by consent level: a bar chart with the level names, and the same numbers as a table. */
export function ContactsCard() {
  const totals = useContactTotals();
  const levelName = useLevelName();
  const d = totals.data;
  return (
    <Card
      id="card-contacts"
      title="Contacts by consent level"
      action={
        d && d.total > 0 ? (
          <Text size="sm" c="dimmed">
            {formatNumber(d.total)} contacts
          </Text>
        ) : undefined
      }
    >
      {totals.isPending ? (
        <Loading label="Loading contact counts" />
      ) : totals.isError || !d ? (
        <ErrorState error={totals.error} retry={() => totals.refetch()} title="Could not load the contact counts" />
      ) : d.total === 0 ? (
        <Text size="sm" c="dimmed">
          No contacts yet.
        </Text>
      ) : (
        <>
          {/* The chart repeats the table below for the eye; screen readers read the table. */}
          <div aria-hidden="true">
            <BarChart
              h={240}
              orientation="vertical"
              yAxisProps={{ width: 110, interval: 0 }}
              xAxisProps={{ allowDecimals: false }}
              data={d.levels.map((l) => ({ level: levelName(l.level), Contacts: l.count }))}
              dataKey="level"
              series={[{ name: 'Contacts', color: 'indigo.6' }]}
              valueFormatter={(v) => formatNumber(v)}
              withTooltip={false}
              withBarValueLabel
              tickLine="x"
              gridAxis="x"
              barChartProps={{ accessibilityLayer: false }}
            />
          </div>
          <TableScroll label="Contacts by consent level, as a table" minWidth={280}>
            <Table striped verticalSpacing={4} fz="sm">
              <Table.Caption>Contacts at each consent level now</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Consent level</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Contacts
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Share
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.levels.map((l) => (
                  <Table.Tr key={l.level}>
                    <Table.Th scope="row" fw={500}>
                      {levelName(l.level)}
                    </Table.Th>
                    <Table.Td ta="right">{formatNumber(l.count)}</Table.Td>
                    <Table.Td ta="right">{Math.round((l.count / d.total) * 100)} %</Table.Td>
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
