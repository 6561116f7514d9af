import { Route, Routes } from 'react-router';
import { ExistingModel, ModelEditor } from './ModelEditor';
import { ModelList } from './ModelList';

/** Scoring: the models, a new model, and a saved one (editor, recompute, distribution). Ids only in URLs. */
export default function Scoring() {
  return (
    <Routes>
      <Route index element={<ModelList />} />
      <Route path="new" element={<ModelEditor key="new" />} />
      <Route path=":id" element={<ExistingModel />} />
    </Routes>
  );
}
