export interface ListsTable {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
}

export interface ListMembersTable {
  contact_id: string;
  list_id: string;
  joined_at: string;
}
