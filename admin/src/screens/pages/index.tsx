import { Route, Routes } from 'react-router';
import { ExistingPage, PageEditor } from './PageEditor';
import { PageList } from './PageList';

/** Pages: the list, a new page, and a saved one (editor with live preview and counts). Ids only in URLs. */
export default function Pages() {
  return (
    <Routes>
      <Route index element={<PageList />} />
      <Route path="new" element={<PageEditor key="new" />} />
      <Route path=":id" element={<ExistingPage />} />
    </Routes>
  );
}
