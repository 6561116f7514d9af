import { Route, Routes } from 'react-router';
import { EntitiesIndex } from './EntitiesIndex';
import { EntityRecords } from './EntityRecords';
import { NewEntity } from './NewEntity';
import { RecordView } from './RecordView';

/** Custom entities: defining one, browsing its records, viewing a record. */
export default function Entities() {
  return (
    <Routes>
      <Route index element={<EntitiesIndex />} />
      <Route path="new" element={<NewEntity />} />
      <Route path=":name" element={<EntityRecords />} />
      <Route path=":name/:id" element={<RecordView />} />
    </Routes>
  );
}
