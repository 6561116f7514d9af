import { Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiFailure } from '../../api/client';
import { errorMessage } from '../../ui/states';
import { type PageInput, pagesApi } from './types';

const FIELD_WORDS: Record<string, string> = {
  '/slug': 'Address',
  '/title': 'Title',
  '/intro': 'Introduction',
  '/language': 'Language',
  '/formId': 'Form',
  '/type': 'Type',
};

/** The API's `page_invalid` details as lines: "Title: …". */
export function invalidLines(e: unknown): string[] {
  if (!(e instanceof ApiFailure) || !Array.isArray(e.details)) return [];
  return (e.details as { path?: string; message?: string }[])
    .filter((d) => d.message)
    .map((d) => `${FIELD_WORDS[d.path ?? ''] ?? d.path ?? 'The page'}: ${d.message}`);
}

/**
 * The page as /p/{slug} would serve it, made by the server from what is typed (unsaved), about
 * 300 ms after typing stops. In a sandboxed frame: no script of it runs, nothing it links to opens here.
 */
export function PagePreview({ input }: { input: PageInput }) {
  const [debounced] = useDebouncedValue(input, 300);
  const [width, setWidth] = useState('wide');
  const preview = useQuery({
    queryKey: ['page-preview', debounced],
    queryFn: () => pagesApi.preview(debounced),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const problems = preview.isError ? invalidLines(preview.error) : [];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="page-preview-title">
      <Group justify="space-between" mb="xs" gap="xs">
        <Title order={2} size="h4" id="page-preview-title">
          Preview
        </Title>
        <SegmentedControl
          size="xs"
          value={width}
          onChange={setWidth}
          data={[
            { value: 'wide', label: 'Wide' },
            { value: 'phone', label: 'Phone' },
          ]}
          aria-label="Preview width"
        />
      </Group>
      {preview.isError ? (
        <Stack gap={4} role="status" mb="xs">
          <Text size="sm" fw={600}>
            {preview.error instanceof ApiFailure && preview.error.status === 404
              ? 'This server cannot preview pages yet.'
              : 'The preview waits for a page it can show:'}
          </Text>
          {problems.length > 0
            ? problems.map((p) => (
                <Text size="sm" key={p}>
                  {p}
                </Text>
              ))
            : !(preview.error instanceof ApiFailure && preview.error.status === 404) && (
                <Text size="sm">{errorMessage(preview.error)}</Text>
              )}
        </Stack>
      ) : null}
      {preview.data && (
        <div
          style={{ display: 'flex', justifyContent: 'center', overflowX: 'auto', opacity: preview.isError || preview.isFetching ? 0.6 : 1 }}
        >
          <iframe
            title="Preview of the page"
            sandbox=""
            srcDoc={preview.data.html}
            style={{
              width: width === 'wide' ? '100%' : 360,
              minWidth: 320,
              height: 620,
              border: '1px solid var(--mantine-color-default-border)',
              background: '#fff',
            }}
          />
        </div>
      )}
      <Text size="xs" c="dimmed" mt="xs">
        Made from what you typed, before it is saved. Links and the form do nothing here.
      </Text>
    </Paper>
  );
}
