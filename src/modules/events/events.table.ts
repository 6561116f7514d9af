export interface EventsTable {
  /** UUIDv7: id order is publication order. */
  id: string;
  /** `<noun>.<verb>`, one of the types the manifests declare. */
  type: string;
  /** The contact the event is about, when it is about one: an erasure deletes the row. */
  contact_id: string | null;
  /** JSON object of ids, kinds and counts (`requestId`, `requestType`, `created`…), never a personal value. */
  data: string;
  /** JSON array of the names of the fields that changed, or null. */
  fields: string | null;
  created_at: string;
}
