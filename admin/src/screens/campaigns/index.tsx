import { Route, Routes } from 'react-router';
import { CampaignList } from './CampaignList';
import { CampaignPage } from './CampaignPage';
import { NewCampaign } from './NewCampaign';

/** Campaigns: the list, a new one (message, segment, the audience check, start), and one campaign's progress and stats. */
export default function Campaigns() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<NewCampaign />} />
      <Route path=":id" element={<CampaignPage />} />
    </Routes>
  );
}
