import { Route, Routes } from 'react-router';
import { Designer, ExistingJourney } from './Designer';
import { JourneyList } from './JourneyList';

/** Journeys: the list, a new journey, and a saved one (the designer with its counts). Ids only in URLs. */
export default function Journeys() {
  return (
    <Routes>
      <Route index element={<JourneyList />} />
      <Route path="new" element={<Designer key="new" />} />
      <Route path=":id" element={<ExistingJourney />} />
    </Routes>
  );
}
