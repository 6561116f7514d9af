import { Alert, Button, Code, Group, List, NativeSelect, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type ChangeEvent, useEffect, useId, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiFailure, api, call } from '../../api/client';
import { useRights } from '../../api/session';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { TableScroll } from '../../ui/TableScroll';
import { ErrorState, errorMessage, Loading } from '../../ui/states';
import { type ImportReport, rejectedLines, sendImport, useJob } from './api';
import { Counts } from './Counts';
import { type CsvHead, fileSize, JOB_FROM, readHead } from './csv';
import { Rejections } from './Rejections';
import { guess, IGNORE, mapSpec, namesConsentField, targetsFor } from './targets';

/** The API's details of a refused file, when it gives them as a list of problems. */
function problemsOf(e: unknown): string[] {
  if (!(e instanceof ApiFailure) || !Array.isArray(e.details)) return [];
  return e.details.map((d: { message?: unknown }) => (typeof d?.message === 'string' ? d.message : '')).filter(Boolean);
}

/** Upload, map, dry run, then start the import job (its progress is the next page). */
export function NewImport() {
  const { can } = useRights();
  const mayWriteConsent = can('consent', 'write');
  const navigate = useNavigate();
  const inputId = useId();
  const fields = useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => (await call(api.GET('/api/v1/contact-fields'))).data,
  });
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<CsvHead | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [mapping, setMapping] = useState<string[]>([]);
  const [report, setReport] = useState<{ report: ImportReport; lines: { line: number; reason: string }[] } | null>(null);
  const [dryRunJob, setDryRunJob] = useState<string | null>(null);

  const custom = fields.data ?? [];
  const targets = useMemo(() => targetsFor(custom, mayWriteConsent), [custom, mayWriteConsent]);

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    const f = e.currentTarget.files?.[0] ?? null;
    setFile(f);
    setHead(null);
    setProblem(null);
    setReport(null);
    setDryRunJob(null);
    dryRun.reset();
    run.reset();
    if (!f) return;
    const r = await readHead(f);
    if (!r.ok) return setProblem(r.problem);
    setHead(r.head);
    setMapping(r.head.header.map((h) => guess(h, custom, mayWriteConsent)));
  }

  const map = head ? mapSpec(head.header, mapping) : '';
  // Keys for the preview: a column or a row has no identity but its place in the file.
  const columns = (head?.header ?? []).map((name, index) => ({ name, index, key: `column-${index}` }));
  const previewRows = (head?.rows ?? []).map((cells, n) => ({ cells, key: `row-${n}` }));
  const emailColumns = mapping.filter((m) => m === 'email').length;
  const doubled = targets.filter((t) => mapping.filter((m) => m === t.value).length > 1);
  const mappingProblem =
    emailColumns === 0
      ? 'Choose the column that holds the email address and set it to “Email”: each row is matched to a contact by its address.'
      : doubled.length
        ? `Several columns are set to ${doubled.map((t) => `“${t.label}”`).join(', ')}: choose one column for each field.`
        : null;
  const consentNotOffered = head && !mayWriteConsent ? head.header.filter(namesConsentField) : [];

  const dryRun = useMutation({
    mutationFn: async () => {
      setReport(null);
      setDryRunJob(null);
      const sent = await sendImport(file!, { map, dryRun: true, job: false });
      if ('report' in sent) setReport({ report: sent.report, lines: sent.report.rejected });
      else setDryRunJob(sent.jobId);
    },
  });
  const run = useMutation({
    mutationFn: async () => {
      const sent = await sendImport(file!, { map, dryRun: false, job: true });
      if ('jobId' in sent) navigate(sent.jobId);
    },
  });
  const busy = dryRun.isPending || run.isPending;
  const sendError = dryRun.error ?? run.error;

  if (fields.isPending) return <Loading label="Loading the contact fields" />;
  if (fields.isError)
    return (
      <Page title="Import contacts">
        <ErrorState error={fields.error} retry={() => void fields.refetch()} />
      </Page>
    );

  return (
    <Page
      title="Import contacts"
      description={
        'Add or update contacts from a CSV file. Each row is matched to a contact by its email address: new addresses are ' +
        'created, known ones updated.'
      }
    >
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <Title order={2} size="h4">
            1. Choose a CSV file
          </Title>
          {!file && (
            <Stack gap={4}>
              <Text size="sm">
                A CSV file is a table saved as text, one contact per line. Your spreadsheet or previous tool can export one (“Save as” or
                “Export”, then CSV). The first line names the columns; one of them holds the email address, for example:
              </Text>
              <Code block>
                {'email,firstName,lastName,country\nlea.martin@example.com,Léa,Martin,FR\njonas.berg@example.org,Jonas,Berg,SE'}
              </Code>
              <Text size="sm" c="dimmed">
                Commas, semicolons or tabs separate the columns; UTF-8, UTF-16 and Windows (Latin-1) encodings are read. Up to 50 MB per
                file; a file over 2 MB is imported in the background while you watch its progress.
              </Text>
            </Stack>
          )}
          <Group gap="sm" align="center">
            <label htmlFor={inputId}>
              <Text size="sm" fw={500} span>
                CSV file
              </Text>
            </label>
            <input id={inputId} type="file" accept=".csv,.tsv,.txt,text/csv,text/plain" onChange={(e) => void choose(e)} />
          </Group>
          {file && (
            <Text size="sm" data-testid="file-summary">
              {file.name}: {fileSize(file.size)} (the limit is 50 MB
              {file.size > JOB_FROM ? '; this file is imported in the background' : ''}).
            </Text>
          )}
          {problem && (
            <Alert color="red" role="alert" title="This file cannot be imported">
              {problem}
            </Alert>
          )}
        </Stack>
      </Paper>

      {head && (
        <Paper withBorder p="md" radius="md">
          <Stack gap="sm">
            <Title order={2} size="h4">
              2. Match the columns to contact fields
            </Title>
            <Text size="sm" c="dimmed">
              Choose the field each column fills, or “Ignore this column”. Empty cells leave a contact’s field as it is.
            </Text>
            <TableScroll minWidth={440} label="Column choices">
              <Table withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Column in the file</Table.Th>
                    <Table.Th scope="col">First values</Table.Th>
                    <Table.Th scope="col">Import into</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {columns.map(({ name: h, index: i, key }) => (
                    <Table.Tr key={key}>
                      <Table.Td fw={500}>{h || `Column ${i + 1} (no name)`}</Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
                          {head.rows
                            .map((r) => r[i] ?? '')
                            .filter((v) => v !== '')
                            .slice(0, 3)
                            .join(', ') || '(empty)'}
                        </Text>
                      </Table.Td>
                      <Table.Td miw={220}>
                        <NativeSelect
                          aria-label={`Import column “${h || i + 1}” into`}
                          value={mapping[i] ?? IGNORE}
                          disabled={h === ''}
                          onChange={(e) => {
                            const next = [...mapping];
                            next[i] = e.currentTarget.value;
                            setMapping(next);
                            setReport(null);
                            setDryRunJob(null);
                          }}
                        >
                          <option value={IGNORE}>Ignore this column</option>
                          {(['Contact', 'Consent', 'Custom fields'] as const).map((group) => {
                            const options = targets.filter((t) => t.group === group);
                            return options.length ? (
                              <optgroup key={group} label={group}>
                                {options.map((t) => (
                                  <option key={t.value} value={t.value}>
                                    {t.label}
                                  </option>
                                ))}
                              </optgroup>
                            ) : null;
                          })}
                        </NativeSelect>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
            {consentNotOffered.length > 0 && (
              <Notice color="yellow" title="Consent columns are not imported">
                {consentNotOffered.map((c) => `“${c}”`).join(', ')}: consent, birth dates and the child flag are changed only by an
                administrator or a privacy officer, so your import leaves these columns out.
              </Notice>
            )}
            {mappingProblem && (
              <Alert color="red" role="alert" title="The columns need attention">
                {mappingProblem}
              </Alert>
            )}
            <Title order={3} size="h5">
              First rows of the file
            </Title>
            <TableScroll minWidth={Math.max(480, head.header.length * 140)} label="First rows of the file, scrollable">
              <Table striped withTableBorder withColumnBorders aria-label="First rows of the file">
                <Table.Thead>
                  <Table.Tr>
                    {columns.map(({ name: h, index: i, key }) => (
                      <Table.Th key={key} scope="col">
                        {h || `Column ${i + 1}`}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {previewRows.map(({ cells, key: rowKey }) => (
                    <Table.Tr key={rowKey}>
                      {columns.map(({ index: i, key }) => (
                        <Table.Td key={key} style={{ overflowWrap: 'anywhere' }}>
                          {cells[i] ?? ''}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
          </Stack>
        </Paper>
      )}

      {head && (
        <Paper withBorder p="md" radius="md">
          <Stack gap="sm">
            <Title order={2} size="h4">
              3. Check, then import
            </Title>
            <Text size="sm" c="dimmed">
              A dry run reads the whole file and says what the import would do, changing nothing.
            </Text>
            <Group gap="sm">
              <Button variant="default" onClick={() => dryRun.mutate()} disabled={!!mappingProblem || busy} loading={dryRun.isPending}>
                Dry run
              </Button>
              <Button onClick={() => run.mutate()} disabled={!!mappingProblem || busy} loading={run.isPending}>
                Import
              </Button>
            </Group>
            {sendError && (
              <Alert color="red" role="alert" title="The file was refused">
                <Text size="sm">{errorMessage(sendError)}</Text>
                {problemsOf(sendError).length > 0 && (
                  <List size="sm" mt="xs">
                    {problemsOf(sendError).map((p) => (
                      <List.Item key={p}>{p}</List.Item>
                    ))}
                  </List>
                )}
                <Text size="sm" mt="xs">
                  Change the column choices above or correct the file, then try again.
                </Text>
              </Alert>
            )}
            {dryRunJob && (
              <DryRunJob
                jobId={dryRunJob}
                onReport={(r) => {
                  setReport(r);
                  setDryRunJob(null);
                }}
              />
            )}
            {report && <DryRunReport report={report.report} lines={report.lines} />}
          </Stack>
        </Paper>
      )}
    </Page>
  );
}

function DryRunReport({ report, lines }: { report: ImportReport; lines: { line: number; reason: string }[] }) {
  const rejected = lines.length;
  return (
    <Stack gap="sm" aria-label="Dry run report" role="region">
      <Title order={3} size="h5">
        Dry run report: nothing was changed
      </Title>
      <Counts
        label="What the import would do"
        items={[
          { label: 'Would create', value: report.created, color: 'teal' },
          { label: 'Would update', value: report.updated },
          { label: 'Would reject', value: rejected, ...(rejected ? { color: 'red' } : {}) },
        ]}
      />
      {report.ignoredColumns.length > 0 && <Text size="sm">Columns not imported: {report.ignoredColumns.join(', ')}.</Text>}
      <Rejections lines={lines} caption="Rejected lines (line numbers as in the file, the header being line 1)" />
    </Stack>
  );
}

/** A dry run of a large file runs as a job too: its progress, then its report. */
function DryRunJob({
  jobId,
  onReport,
}: {
  jobId: string;
  onReport: (r: { report: ImportReport; lines: { line: number; reason: string }[] }) => void;
}) {
  const job = useJob(jobId);
  const done = job.data?.status === 'done';
  const lines = useQuery({ queryKey: ['job-rejected', jobId], queryFn: () => rejectedLines(jobId), enabled: done });
  const result = job.data?.result as { created?: number; updated?: number; ignoredColumns?: string[] } | null | undefined;
  const ready = done && lines.data && result ? lines.data : null;
  useEffect(() => {
    if (ready && result)
      onReport({
        report: {
          created: result.created ?? 0,
          updated: result.updated ?? 0,
          ignoredColumns: result.ignoredColumns ?? [],
          rejected: [],
          dryRun: true,
        },
        lines: ready,
      });
  }, [ready, result, onReport]);
  if (job.isError) return <ErrorState error={job.error} retry={() => void job.refetch()} />;
  if (lines.isError) return <ErrorState error={lines.error} retry={() => void lines.refetch()} />;
  if (job.data?.status === 'failed')
    return (
      <Alert color="red" role="alert" title="The dry run stopped">
        Try again; if it stops again, the file may be too large for this installation.
      </Alert>
    );
  return (
    <Text size="sm" role="status">
      Checking the file: {job.data ? `${job.data.done} of ${job.data.total} rows read` : 'starting'}…
    </Text>
  );
}
