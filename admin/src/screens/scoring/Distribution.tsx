import { Group, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { formatNumber } from '../../ui/format';
import { ErrorState, Loading } from '../../ui/states';
import { TableScroll } from '../../ui/TableScroll';
import { useRequirement } from '../journeys/consent';
import { type Distribution as Dist, GRADES, type Model, scoringApi } from './scoring.api';
import { notScoredWords } from './words';

interface Bar {
  label: string;
  n: number;
}

/**
 * Bars in plain SVG (no chart library in this chunk), scaled to the box's width. The figure is an
 * image named by its caption; the same numbers follow in a table, which is what a screen reader reads.
 */
function Bars({ bars, caption, id, color }: { bars: Bar[]; caption: string; id: string; color: string }) {
  const max = Math.max(1, ...bars.map((b) => b.n));
  const w = 600;
  const h = 180;
  const top = 18;
  const bottom = 24;
  const slot = w / Math.max(1, bars.length);
  const bw = Math.max(2, slot * 0.7);
  const few = bars.length <= 12;
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-labelledby={id} style={{ display: 'block', maxHeight: 220 }}>
        <title>{caption}</title>
        <line x1={0} x2={w} y1={h - bottom} y2={h - bottom} stroke="var(--mantine-color-default-border)" />
        {bars.map((b, i) => {
          const bh = ((h - top - bottom) * b.n) / max;
          const x = i * slot + (slot - bw) / 2;
          return (
            <g key={b.label}>
              <rect x={x} y={h - bottom - bh} width={bw} height={bh} fill={color} rx={2}>
                <title>{`${b.label}: ${formatNumber(b.n)}`}</title>
              </rect>
              {few && (
                <>
                  <text x={x + bw / 2} y={h - bottom - bh - 4} textAnchor="middle" fontSize={13} fill="var(--mantine-color-text)">
                    {formatNumber(b.n)}
                  </text>
                  <text x={x + bw / 2} y={h - 6} textAnchor="middle" fontSize={13} fill="var(--mantine-color-text)">
                    {b.label}
                  </text>
                </>
              )}
            </g>
          );
        })}
      </svg>
      <Text component="figcaption" id={id} size="sm" c="dimmed">
        {caption}
      </Text>
    </figure>
  );
}

function NumbersTable({ label, head, rows }: { label: string; head: string; rows: Bar[] }) {
  return (
    <TableScroll label={label} minWidth={220}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{head}</Table.Th>
            <Table.Th scope="col" ta="right">
              Leads
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.label}>
              <Table.Td>{r.label}</Table.Td>
              <Table.Td ta="right">{formatNumber(r.n)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

/** "0 to 9" for a histogram band (the API's from and to, both included). */
const bucket = (b: { from: number; to: number }) => (b.to <= b.from ? String(b.from) : `${b.from} to ${b.to}`);

export function DistributionView({ d, model }: { d: Dist; model: Model }) {
  const requirement = useRequirement();
  const grades: Bar[] = [...GRADES.map((g) => ({ label: g, n: d.grades[g] ?? 0 })), { label: 'No grade', n: d.grades.none ?? 0 }];
  const histogram: Bar[] = d.histogram.map((b) => ({ label: bucket(b), n: b.n }));
  const reasons = Object.entries(d.notScored).filter(([, n]) => n > 0);
  const levelName = (n: number) => requirement.words(n);
  return (
    <Stack gap="md">
      <Group gap="xl" wrap="wrap">
        <Text size="sm">
          Scored: <strong data-testid="dist-scored">{formatNumber(d.scored)}</strong>
        </Text>
        <Text size="sm">
          Sales-ready: <strong>{formatNumber(d.salesReady)}</strong>
        </Text>
        <Text size="sm">
          Not scored: <strong>{formatNumber(reasons.reduce((s, [, n]) => s + n, 0))}</strong>
        </Text>
      </Group>
      {d.scored === 0 ? (
        <Text size="sm" c="dimmed">
          No lead is scored under this model yet. Recompute it, or check that leads exist and their contacts gave the required consent.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="xs">
            <Bars bars={grades} id={`grades-${model.id}`} color="var(--mantine-color-indigo-6)" caption="Scored leads by grade" />
            <NumbersTable label="Scored leads by grade, as numbers" head="Grade" rows={grades} />
          </Stack>
          <Stack gap="xs">
            <Bars bars={histogram} id={`hist-${model.id}`} color="var(--mantine-color-teal-7)" caption="Scored leads by score" />
            <NumbersTable label="Scored leads by score, as numbers" head="Score" rows={histogram} />
          </Stack>
        </SimpleGrid>
      )}
      {reasons.length > 0 && (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Why some leads are not scored
          </Text>
          <List size="sm" spacing={2}>
            {reasons.map(([reason, n]) => (
              <List.Item key={reason}>
                {formatNumber(n)} — {notScoredWords(reason, model.requiredConsent, levelName).replace(/^Not scored: /, '')}
              </List.Item>
            ))}
          </List>
        </Stack>
      )}
    </Stack>
  );
}

/** How the model's scores are spread: leads per grade and per score, and why the others are not scored (anonymous counts). */
export function Distribution({ model }: { model: Model }) {
  const d = useQuery({
    queryKey: ['scoring-distribution', model.id],
    queryFn: () => scoringApi.distribution(model.id),
  });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="distribution-title">
      <Stack gap="sm">
        <Title order={2} size="h3" id="distribution-title">
          Distribution
        </Title>
        {d.isPending ? (
          <Loading label="Loading the distribution" />
        ) : d.isError ? (
          <ErrorState error={d.error} retry={() => void d.refetch()} title="Could not load the distribution" />
        ) : (
          <DistributionView d={d.data} model={model} />
        )}
      </Stack>
    </Paper>
  );
}
