import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useNavigate } from 'react-router';
import { MODAL_PROPS } from './contrast';
import { errorMessage } from './states';

/**
 * Deleting a saved thing from its own screen, asked first: a red button, a question that names
 * it and says what follows (`children`), "Keep it" or the delete; on success its cached copy is
 * dropped, its list reloaded, and the list shown. One shape for forms, pages and journeys.
 */
export function ConfirmDelete(p: {
  /** The thing's name, as the question shows it. */
  name: string;
  /** The button that asks ("Delete form"); `confirm` the one that deletes (defaults to the same). */
  label: string;
  confirm?: string;
  remove: () => Promise<unknown>;
  /** Its query key (dropped) and its list's (reloaded), and the list's path. */
  itemKey: readonly unknown[];
  listKey: readonly unknown[];
  listPath: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: p.remove,
    onSuccess: async () => {
      queries.removeQueries({ queryKey: p.itemKey });
      await queries.invalidateQueries({ queryKey: p.listKey });
      navigate(p.listPath, { replace: true });
    },
  });
  return (
    <>
      <Button variant="default" color="red" onClick={() => setOpen(true)}>
        {p.label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Delete “${p.name}”?`} {...MODAL_PROPS}>
        <Stack gap="sm">
          <Text size="sm">{p.children}</Text>
          {remove.isError && (
            <Alert color="red" role="alert" title="Not deleted">
              {errorMessage(remove.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)}>
              Keep it
            </Button>
            <Button color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
              {p.confirm ?? p.label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
