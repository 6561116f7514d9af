import { Tabs } from '@mantine/core';
import { useState } from 'react';
import { Page } from '../../ui/Page';
import { BounceList } from './BounceList';
import { UndeliverableList } from './UndeliverableList';

/**
 * Bounces: what came back for sent mail (bounces and complaints, with what each did) and the
 * addresses nothing more is sent to, which staff who may write can allow again.
 */
export default function Bounces() {
  const [tab, setTab] = useState<string | null>('reports');
  return (
    <Page title="Bounces" description="What came back for the mail you sent, and the addresses Assent no longer sends to because of it.">
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="reports">Bounces and complaints</Tabs.Tab>
          <Tabs.Tab value="undeliverable">Undeliverable addresses</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="reports" pt="md">
          {tab === 'reports' && <BounceList />}
        </Tabs.Panel>
        <Tabs.Panel value="undeliverable" pt="md">
          {tab === 'undeliverable' && <UndeliverableList />}
        </Tabs.Panel>
      </Tabs>
    </Page>
  );
}
