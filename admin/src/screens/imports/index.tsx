import { Route, Routes } from 'react-router';
import { ImportJob } from './ImportJob';
import { NewImport } from './NewImport';

/** Import: a CSV mapped to contact fields, checked by a dry run, then imported by a job with live progress. */
export default function Imports() {
  return (
    <Routes>
      <Route index element={<NewImport />} />
      <Route path=":jobId" element={<ImportJob />} />
    </Routes>
  );
}
