import '@mantine/charts/styles.css';
import { SimpleGrid } from '@mantine/core';
import { useRights } from '../../api/session';
import { Page } from '../../ui/Page';
import { AuditCard } from './AuditCard';
import { ContactsCard, FirstSteps, useContactTotals } from './ContactsCard';
import { InteractionsCard } from './InteractionsCard';
import { RequestsCard } from './RequestsCard';

/**
 * The first screen: consent levels, interactions per day, the request queue and the latest audit
 * entries. A card the role may not read is not shown and its API not called.
 */
export default function Dashboard() {
  const { can } = useRights();
  const contacts = can('contacts');
  const totals = useContactTotals(contacts);
  const empty = totals.data?.total === 0;
  return (
    <Page title="Dashboard" description="How consent stands across your contacts, what happened lately, and what needs an answer.">
      {empty && <FirstSteps />}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        {contacts && <ContactsCard />}
        {can('interactions') && <InteractionsCard />}
        {can('requests') && <RequestsCard />}
        {can('audit') && <AuditCard />}
      </SimpleGrid>
    </Page>
  );
}
