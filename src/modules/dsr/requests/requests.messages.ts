import type { RequestType } from './requests.model.ts';

/**
 * What the requester is told, by email. Plain text, no personal values beyond what the
 * recipient already knows; the address is never repeated in the body.
 */
export interface Message {
  subject: string;
  text: string;
}

export const ASKED: Record<RequestType, string> = {
  access: 'a copy of the personal data we hold about you',
  portability: 'your personal data in a machine-readable format',
  rectification: 'a correction of your personal data',
  erasure: 'the erasure of your personal data',
  objection: 'that we stop processing your personal data for marketing and profiling',
};

export function verificationMessage(type: RequestType, link: string, expiresAt: Date): Message {
  return {
    subject: 'Confirm your data request',
    text: [
      `We received a request for ${ASKED[type]}, made with this email address.`,
      '',
      `If you made it, open this link to confirm it (it works until ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC):`,
      '',
      link,
      '',
      'If you did not, ignore this message: nothing happens without your confirmation.',
    ].join('\n'),
  };
}

export function exportMessage(type: 'access' | 'portability', url: string, expiresAt: string): Message {
  return {
    subject: 'Your personal data',
    text: [
      type === 'portability'
        ? 'Here is your personal data in machine-readable form (JSON), as you asked.'
        : 'Here is a copy of the personal data we hold about you, as you asked.',
      '',
      `Download it from this link until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC:`,
      '',
      url,
    ].join('\n'),
  };
}

export function noDataMessage(type: RequestType): Message {
  return {
    subject: 'Your data request',
    text: `You asked for ${ASKED[type]}. We hold no personal data about this email address, apart from the record of your request.`,
  };
}

export function doneMessage(type: RequestType): Message {
  return { subject: 'Your data request is complete', text: `You asked for ${ASKED[type]}. We have done so.` };
}
