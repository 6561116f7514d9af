import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { MODAL_PROPS } from '../../ui/contrast';
import { errorMessage } from '../../ui/states';
import { type Form, formsApi } from './forms.api';

/** Deleting a form, asked first: one with submissions is archived instead (the API's rule), which the question says. */
export function DeleteForm({ form }: { form: Form }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: () => formsApi.remove(form.id),
    onSuccess: async () => {
      queries.removeQueries({ queryKey: ['form', form.id] });
      await queries.invalidateQueries({ queryKey: ['forms'] });
      navigate('/forms', { replace: true });
    },
  });
  return (
    <>
      <Button variant="default" color="red" onClick={() => setOpen(true)}>
        Delete form
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Delete “${form.name}”?`} {...MODAL_PROPS}>
        <Stack gap="sm">
          <Text size="sm">
            A form nobody has sent is deleted. A form with submissions is archived: it takes no more, leaves this list, and its submissions
            and the consent they gave stay as they are. Pages and websites that show it then show nothing.
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
              Delete form
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
