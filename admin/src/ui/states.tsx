import { Alert, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiFailure } from '../api/client';

/** While a screen's data loads. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl">
      <Loader role="status" aria-label={label} />
    </Center>
  );
}

/** Plain words for the API's error codes a user meets; the API's own message otherwise. */
const PLAIN: Record<string, string> = {
  forbidden: 'Your role may not do this. Ask an administrator if you need it.',
  not_found: 'This no longer exists: it may have been deleted or erased.',
  rate_limited: 'Too many requests: wait a moment and try again.',
  unauthenticated: 'Your session has ended. Sign in again.',
};

export function errorMessage(error: unknown): string {
  if (error instanceof ApiFailure) return PLAIN[error.code] ?? error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** A failed load or action, in words, with a way to try again. */
export function ErrorState({ error, retry, title = 'Could not load this' }: { error: unknown; retry?: () => void; title?: string }) {
  return (
    <Alert color="red" role="alert" title={title}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        {retry && (
          <Button size="xs" variant="default" onClick={retry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/** Nothing here yet: says what this place is for and leads to the first action. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder p="xl" radius="md">
      <Stack align="center" gap="xs" ta="center">
        <Title order={2} size="h4">
          {title}
        </Title>
        {children && (
          <Text c="dimmed" size="sm" maw={520}>
            {children}
          </Text>
        )}
        {action && <Group mt="sm">{action}</Group>}
      </Stack>
    </Paper>
  );
}
