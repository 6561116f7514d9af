import { ConfirmDelete } from '../../ui/ConfirmDelete';
import { pagesApi, type SavedPage } from './types';

/** Deleting a page, asked first: its address then answers "not found", and its counts go with it. */
export function DeletePage({ page }: { page: SavedPage }) {
  return (
    <ConfirmDelete
      name={page.title}
      label="Delete page"
      remove={() => pagesApi.remove(page.id)}
      itemKey={['page', page.id]}
      listKey={['pages']}
      listPath="/pages"
    >
      Its address ({page.url}) then answers “not found”, also in emails and links already sent. The form it shows stays. To take it off the
      web for a while instead, switch off “Published”.
    </ConfirmDelete>
  );
}
