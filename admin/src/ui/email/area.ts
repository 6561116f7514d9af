import type { Area } from '../../api/session';

/**
 * The access table's area for messages, campaigns and sends. The table already has `messages`
 * (marketers and admins write, privacy officers and viewers read), which is what email needs; if the
 * email routes land under an area of their own, this one line changes.
 */
export const EMAIL_AREA: Area = 'messages';
