import { ConfirmDelete } from '../../ui/ConfirmDelete';
import { type Form, formsApi } from './forms.api';

/** Deleting a form, asked first: one with submissions is archived instead (the API's rule), which the question says. */
export function DeleteForm({ form }: { form: Form }) {
  return (
    <ConfirmDelete
      name={form.name}
      label="Delete form"
      remove={() => formsApi.remove(form.id)}
      itemKey={['form', form.id]}
      listKey={['forms']}
      listPath="/forms"
    >
      A form nobody has sent is deleted. A form with submissions is archived: it takes no more, leaves this list, and its submissions and
      the consent they gave stay as they are. Pages and websites that show it then show nothing.
    </ConfirmDelete>
  );
}
