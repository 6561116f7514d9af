import { Route, Routes } from 'react-router';
import { ContactForm } from './ContactForm';
import { ContactPage } from './ContactPage';
import { ContactsList } from './ContactsList';

/** Contacts: the list, a new contact, a contact's page and its edit form (ids only in URLs). */
export default function Contacts() {
  return (
    <Routes>
      <Route index element={<ContactsList />} />
      <Route path="new" element={<ContactForm />} />
      <Route path=":id" element={<ContactPage />} />
      <Route path=":id/edit" element={<ContactForm />} />
    </Routes>
  );
}
