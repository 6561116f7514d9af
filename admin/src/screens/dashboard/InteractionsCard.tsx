import { AreaChart } from '@mantine/charts';
import { Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { formatDate, formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { Card } from './Card';

const DAYS = 30;

/** The event types, grouped as a marketer reads them; every other type counts as "Other events". */
const GROUPS: { name: string; one: string; types: string[]; color: string }[] = [
  { name: 'Emails sent', one: 'email sent', types: ['email_sent'], color: 'indigo.6' },
  { name: 'Opens', one: 'open', types: ['email_opened'], color: 'teal.6' },
  { name: 'Clicks', one: 'click', types: ['email_clicked'], color: 'orange.6' },
  { name: 'Page visits', one: 'page visit', types: ['page_visited'], color: 'grape.6' },
  { name: 'Form submissions', one: 'form submission', types: ['form_submitted'], color: 'cyan.7' },
];
const OTHER = { name: 'Other events', one: 'other event', color: 'gray.6' };

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The last 30 days up to today (UTC, as the counters are kept). */
function window30(now = new Date()): string[] {
  return Array.from({ length: DAYS }, (_, i) => day(new Date(now.getTime() - (DAYS - 1 - i) * 86_400_000)));
}

/** Interactions per day from the anonymous daily counters (no contact in them): a chart, and the numbers as a table. */
export function InteractionsCard() {
  const days = window30();
  const stats = useQuery({
    queryKey: ['stats', 'interactions', days[0]],
    queryFn: () => call(api.GET('/api/v1/stats/interactions', { params: { query: { from: days[0]!, to: days[DAYS - 1]! } } })),
  });
  return (
    <Card id="card-interactions" title="Interactions per day">
      {stats.isPending ? (
        <Loading label="Loading interactions" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} retry={() => stats.refetch()} title="Could not load the interactions" />
      ) : (
        <Chart rows={stats.data.data} truncated={stats.data.truncated} days={days} />
      )}
    </Card>
  );
}

function Chart({ rows, truncated, days }: { rows: { day: string; type: string; count: number }[]; truncated: boolean; days: string[] }) {
  const names = [...GROUPS.map((g) => g.name), OTHER.name];
  const byDay = new Map(days.map((d) => [d, Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>]));
  for (const r of rows) {
    const group = GROUPS.find((g) => g.types.includes(r.type))?.name ?? OTHER.name;
    const counts = byDay.get(r.day);
    if (counts) counts[group] = (counts[group] ?? 0) + r.count;
  }
  const totals = Object.fromEntries(names.map((n) => [n, days.reduce((s, d) => s + byDay.get(d)![n]!, 0)]));
  const series = [...GROUPS, OTHER].filter((g) => totals[g.name]! > 0);
  if (series.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing recorded in the last {DAYS} days. Emails sent, opens, clicks, page visits and events sent through the API are counted here
        every day, without naming anyone.
      </Text>
    );
  const label = (d: string) => formatDate(`${d}T12:00:00Z`);
  return (
    <>
      <Text size="sm" c="dimmed">
        The last {DAYS} days, counted without naming anyone:{' '}
        {series.map((s) => `${formatNumber(totals[s.name])} ${totals[s.name] === 1 ? s.one : s.name.toLowerCase()}`).join(', ')}.
        {truncated && ' Only part of the counts could be read: the numbers may be low.'}
      </Text>
      <div aria-hidden="true">
        <AreaChart
          h={220}
          data={days.map((d) => ({ day: label(d).replace(/,? \d{4}$/, ''), ...byDay.get(d) }))}
          dataKey="day"
          series={series.map((s) => ({ name: s.name, color: s.color }))}
          curveType="linear"
          withLegend
          withDots={false}
          tickLine="y"
          valueFormatter={(v) => formatNumber(v)}
          yAxisProps={{ allowDecimals: false }}
          areaChartProps={{ accessibilityLayer: false }}
        />
      </div>
      <VisuallyHidden>
        <Table>
          <Table.Caption>Interactions per day, the last {DAYS} days</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Day</Table.Th>
              {series.map((s) => (
                <Table.Th key={s.name} scope="col">
                  {s.name}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {days.map((d) => (
              <Table.Tr key={d}>
                <Table.Th scope="row">{label(d)}</Table.Th>
                {series.map((s) => (
                  <Table.Td key={s.name}>{formatNumber(byDay.get(d)![s.name])}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </VisuallyHidden>
    </>
  );
}
