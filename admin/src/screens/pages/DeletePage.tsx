import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { MODAL_PROPS } from '../../ui/contrast';
import { errorMessage } from '../../ui/states';
import { pagesApi, type SavedPage } from './types';

/** Deleting a page, asked first: its address then answers "not found", and its counts go with it. */
export function DeletePage({ page }: { page: SavedPage }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: () => pagesApi.remove(page.id),
    onSuccess: async () => {
      queries.removeQueries({ queryKey: ['page', page.id] });
      await queries.invalidateQueries({ queryKey: ['pages'] });
      navigate('/pages', { replace: true });
    },
  });
  return (
    <>
      <Button variant="default" color="red" onClick={() => setOpen(true)}>
        Delete page
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Delete “${page.title}”?`} {...MODAL_PROPS}>
        <Stack gap="sm">
          <Text size="sm">
            Its address ({page.url}) then answers “not found”, also in emails and links already sent. The form it shows stays. To take it
            off the web for a while instead, switch off “Published”.
          </Text>
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
              Delete page
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
