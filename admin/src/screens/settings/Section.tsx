import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { type SaveProblem, READABLE_TITLE } from './settings.api';

/** One settings section: a titled region that saves on its own, with its outcome said beside its button. */
export function Section({
  id,
  title,
  description,
  children,
  canWrite,
  onSave,
  pending,
  saved,
  problem,
  saveLabel = 'Save',
  extra,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  canWrite: boolean;
  onSave?: () => void;
  pending?: boolean;
  saved?: boolean;
  problem?: SaveProblem | null;
  saveLabel?: string;
  extra?: ReactNode;
}) {
  return (
    <Paper component="section" aria-labelledby={id} withBorder p="md" radius="md">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (canWrite) onSave?.();
        }}
      >
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h3" id={id}>
              {title}
            </Title>
            {description && (
              <Text size="sm" c="dimmed">
                {description}
              </Text>
            )}
          </Stack>
          {problem && (
            <Alert color="red" role="alert" styles={READABLE_TITLE} title="Not saved">
              {problem.message}
            </Alert>
          )}
          {children}
          {canWrite && onSave && (
            <Group gap="sm">
              <Button type="submit" loading={pending}>
                {saveLabel}
              </Button>
              <Text size="sm" role="status" c="dimmed">
                {saved && !pending ? 'Saved.' : ''}
              </Text>
              {extra}
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
