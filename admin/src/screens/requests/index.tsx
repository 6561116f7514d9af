import { Route, Routes } from 'react-router';
import { CasePage } from './CasePage';
import { Queue } from './Queue';

/** Data requests: the queue (/requests) and one case (/requests/:id); ids only in the URL. */
export default function Requests() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path=":id" element={<CasePage />} />
    </Routes>
  );
}
