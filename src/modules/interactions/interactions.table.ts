export interface InteractionsTable {
  id: string;
  contact_id: string;
  type: string;
  name: string | null;
  ref: string | null;
  message_id: string | null;
  journey_id: string | null;
  page_id: string | null;
  url: string | null;
  properties: string | null;
  at: string;
}

export interface InteractionStatsTable {
  day: string;
  type: string;
  ref: string;
  count: number;
}
