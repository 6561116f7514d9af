import { Route, Routes } from 'react-router';
import { ExistingMessage, MessageEditor } from './MessageEditor';
import { MessageList } from './MessageList';

/** Messages: the list, a new message, and a saved one (editor, preview as a contact, test). Ids only in URLs. */
export default function Messages() {
  return (
    <Routes>
      <Route index element={<MessageList />} />
      <Route path="new" element={<MessageEditor key="new" />} />
      <Route path=":id" element={<ExistingMessage />} />
    </Routes>
  );
}
