import { Alert, Anchor, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { formatNumber } from '../../ui/format';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { ErrorState, Loading } from '../../ui/states';
import { type JobCounts, rejectedUrl, useJob } from './api';
import { Counts } from './Counts';

/** An import running as a job: a live progress bar (the job asked every half second) ending with the counts. */
export function ImportJob() {
  const { jobId = '' } = useParams();
  const job = useJob(jobId);
  const queries = useQueryClient();
  const ended = job.data?.status === 'done' || job.data?.status === 'failed';
  // Contacts, lists and counts elsewhere changed: their screens load again when next opened.
  useEffect(() => {
    if (ended) void queries.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'session' && q.queryKey[0] !== 'job' });
  }, [ended, queries]);

  if (job.isPending) return <Loading label="Loading the import" />;
  if (job.isError)
    return (
      <Page title="Import">
        <ErrorState error={job.error} retry={() => void job.refetch()} />
      </Page>
    );
  const { status, done, total } = job.data;
  const counts = (job.data.result ?? {}) as JobCounts;
  const percent = total > 0 ? Math.round((done / total) * 100) : status === 'done' ? 100 : 0;
  const state =
    status === 'queued'
      ? 'Waiting to start…'
      : status === 'running'
        ? `${formatNumber(done)} of ${formatNumber(total)} rows read`
        : status === 'done'
          ? `All ${formatNumber(total)} rows read`
          : `Stopped after ${formatNumber(done)} of ${formatNumber(total)} rows`;
  return (
    <Page
      title={status === 'done' ? 'Import finished' : status === 'failed' ? 'Import failed' : 'Importing contacts'}
      description="Each row of the file is matched to a contact by its email address: new addresses are created, known ones updated."
    >
      <Stack gap="xs">
        <Progress
          value={percent}
          size="xl"
          radius="sm"
          animated={!ended}
          color={status === 'failed' ? 'red' : status === 'done' ? 'teal' : 'indigo'}
          aria-label="Import progress"
        />
        <Text size="sm" aria-live="polite">
          {state} ({percent}%)
        </Text>
      </Stack>
      <Counts
        label="Import counts"
        items={[
          { label: 'Created', value: counts.created, color: 'teal' },
          { label: 'Updated', value: counts.updated },
          { label: 'Rejected', value: counts.rejected, ...(counts.rejected ? { color: 'red' } : {}) },
        ]}
      />
      {status === 'done' && (
        <Notice color="teal" title="The import is complete" role="status">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {formatNumber(counts.created ?? 0)} contacts created, {formatNumber(counts.updated ?? 0)} updated,{' '}
              {formatNumber(counts.rejected ?? 0)} rows rejected.
              {counts.rejected
                ? ' Download the rejected rows to see why each was refused, correct them in your file and import it again.'
                : ''}
            </Text>
            {counts.ignoredColumns && counts.ignoredColumns.length > 0 && (
              <Text size="sm">Columns not imported: {counts.ignoredColumns.join(', ')}.</Text>
            )}
          </Stack>
        </Notice>
      )}
      {status === 'failed' && (
        <Alert color="red" title="The import stopped" role="alert">
          <Text size="sm">
            The rows counted above were imported; the rest were not. Import the file again: rows already imported are matched by email and
            updated, not duplicated.
          </Text>
        </Alert>
      )}
      <Group gap="sm">
        {(counts.rejected ?? 0) > 0 && (
          <Button component="a" href={rejectedUrl(jobId)} download="rejected.csv" variant={ended ? 'filled' : 'default'}>
            Download rejected rows
          </Button>
        )}
        {ended && (
          <>
            <Button component={Link} to="/imports" variant="default">
              Import another file
            </Button>
            <Anchor component={Link} to="/contacts">
              See the contacts
            </Anchor>
          </>
        )}
      </Group>
    </Page>
  );
}
