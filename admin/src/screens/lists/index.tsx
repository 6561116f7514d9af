import { Route, Routes } from 'react-router';
import { ListPage } from './ListPage';
import { ListsIndex } from './ListsIndex';

/** Lists: every subscription list with its member count; a list's page with its members. */
export default function Lists() {
  return (
    <Routes>
      <Route index element={<ListsIndex />} />
      <Route path=":listId" element={<ListPage />} />
    </Routes>
  );
}
