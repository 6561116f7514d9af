/**
 * Every English string the forms' public side shows or mails, in one place: the message
 * catalogue (English and German) takes them over from here.
 */
export const FORMS_TEXT = {
  /** The one answer to every accepted submission, known address or not. */
  received: 'Thank you. If a confirmation is needed, we have sent you an email with a link.',
  receivedPage: { title: 'Thank you' },
  invalidPage: { title: 'Please check the form', intro: 'Some fields need another look. Go back, correct them and send the form again:' },
  confirmMail: {
    subject: (form: string) => `Please confirm: ${form}`,
    body: (form: string, link: string, expires: Date) =>
      `You (or someone using your address) submitted the form "${form}".\n\n` +
      `To confirm, open this link and press the button on the page:\n${link}\n\n` +
      `The link works until ${expires.toISOString().slice(0, 10)}. If it was not you, ignore this message: nothing changes ` +
      'and nothing about you is kept.\n',
  },
  confirmPage: {
    title: 'Confirm your sign-up',
    intro: 'Press the button to confirm. Nothing changes until you do.',
    button: 'Confirm',
  },
  confirmedPage: { title: 'Confirmed', body: 'Thank you: your sign-up is confirmed.' },
  invalidLinkPage: {
    title: 'This link does not work',
    body: 'The link is not valid, has expired or was already used. Nothing was changed.',
  },
} as const;
