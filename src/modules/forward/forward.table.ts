/** What happens to a forward: waiting for its job, sent, refused (the gate, suppression, a bounce), or failed at the relay. */
export type ForwardStatus = 'queued' | 'sent' | 'refused' | 'failed';

/** One forward of a sent message by its contact (the sender) to one friend: the sender's row. */
export interface ForwardMessagesTable {
  id: string;
  /** The sender: the contact the link was mailed to. */
  contact_id: string;
  /** The send whose message is forwarded. */
  send_id: string;
  /** HMAC of the send and the friend's address key under the installation secret: the friend gets the message once. */
  friend_key: string;
  /** The sender's short note to the friend, shown as text. */
  note: string | null;
  status: ForwardStatus;
  created_at: string;
  sent_at: string | null;
}

/** The friend's address, kept only to send the forward (and gone with it after 30 days). The friend is no contact. */
export interface ForwardRecipientsTable {
  forward_id: string;
  /** The sender: erasing them removes this row too. */
  contact_id: string;
  email: string;
  created_at: string;
}
