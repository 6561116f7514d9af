import { Route, Routes } from 'react-router';
import { ExistingForm, FormBuilder } from './FormBuilder';
import { FormList } from './FormList';

/** Forms: the list, a new form, and a saved one (builder, preview, embed code). Ids only in URLs. */
export default function Forms() {
  return (
    <Routes>
      <Route index element={<FormList />} />
      <Route path="new" element={<FormBuilder key="new" />} />
      <Route path=":id" element={<ExistingForm />} />
    </Routes>
  );
}
