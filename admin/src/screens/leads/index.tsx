import { Route, Routes } from 'react-router';
import { LeadForm } from './LeadForm';
import { LeadPage } from './LeadPage';
import { LeadsList } from './LeadsList';

/** Leads: the table (newest, or ranked by a model), a new lead, a lead's page with its scores, and its edit form. Ids only in URLs. */
export default function Leads() {
  return (
    <Routes>
      <Route index element={<LeadsList />} />
      <Route path="new" element={<LeadForm />} />
      <Route path=":id" element={<LeadPage />} />
      <Route path=":id/edit" element={<LeadForm />} />
    </Routes>
  );
}
