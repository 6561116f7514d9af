import { Route, Routes, useParams } from 'react-router';
import { SegmentEditor } from './SegmentEditor';
import { SegmentList } from './SegmentList';

function Existing() {
  const { id } = useParams();
  return <SegmentEditor key={id} id={id} />;
}

/** Segments: the list, a new segment, and a saved one (builder, count, members, why). Ids only in URLs. */
export default function Segments() {
  return (
    <Routes>
      <Route index element={<SegmentList />} />
      <Route path="new" element={<SegmentEditor key="new" />} />
      <Route path=":id" element={<Existing />} />
    </Routes>
  );
}
