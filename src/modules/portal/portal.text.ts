/**
 * Every text the subscription center and the privacy portal show, in English. One plain object
 * so that the message catalogue (English and German) can take them over whole. Values are text,
 * never HTML: the pages escape them.
 */
export const PORTAL_TEXT = {
  refused: {
    title: 'This link cannot be used',
    body: 'The link is incomplete or no longer valid. Open the link in a recent message from us to get a new one.',
  },
  center: {
    title: 'Your subscriptions',
    levelLegend: 'What we may send you',
    levelHelp: 'Choose one. Each level includes the ones above it. You can choose a lower level at any time.',
    current: 'current',
    listsLegend: 'Lists',
    listsHelp: 'Tick the lists you want to receive; untick those you want to leave.',
    noLists: 'There are no lists to choose from.',
    save: 'Save my choices',
    portal: 'See what we hold about you',
    /** The notice recorded with a level chosen here: this text, then the chosen level's name and description. */
    levelNotice: 'Subscription center: you chose what we may send you.',
    /** The notice recorded with a list joined or left here: this text, then the list's name. */
    listNotice: 'Subscription center: you chose the lists you receive.',
    saved: 'Your choices are saved',
    savedBody: 'Your choices are saved. You will get a receipt by email if receipts are switched on.',
    back: 'Back to your subscriptions',
  },
  portal: {
    title: 'Your data',
    intro: 'This is what we hold about you, as our records of processing describe it.',
    profile: 'Your profile',
    field: 'Field',
    value: 'Value',
    empty: '(empty)',
    level: 'Your consent level',
    history: 'Your consent history',
    historyCaption: 'Every change of your consent, oldest first, with the notice shown to you',
    when: 'When',
    change: 'Change',
    source: 'How',
    notice: 'Notice shown',
    noNotice: '(none recorded)',
    erasedEntry: '(removed)',
    levelChange: (from: string, to: string) => `Consent level from ${from} to ${to}`,
    joined: (list: string) => `Joined the list ${list}`,
    left: (list: string) => `Left the list ${list}`,
    otherChange: (kind: string) => `${kind} changed`,
    lists: 'Your lists',
    noListsHeld: 'You are on no list.',
    segments: 'Groups you are in',
    segmentsHelp: 'Groups (segments) are how we choose who receives what. Each shows whether its conditions hold for you.',
    noSegments: 'You are in no group.',
    staticSegment: 'A fixed group: staff chose its members.',
    holds: 'holds for you',
    doesNotHold: 'does not hold for you',
    tables: 'Other records about you',
    tablesCaption: 'Records we keep about you, by kind, with how many',
    kind: 'Kind of record',
    count: 'How many',
    actions: 'What you can do',
    downloadHtml: 'Read all your data as a page',
    downloadJson: 'Download all your data as a file (JSON)',
    changeConsent: 'Change what we may send you',
    erasureLegend: 'Ask us to erase your data',
    erasureHelp:
      'We will delete everything we hold about you, except what the law requires us to keep. We will send you nothing more. ' +
      'This cannot be undone.',
    erasureButton: 'Ask for erasure',
    erasureRequested: 'Your request is received',
    erasureRequestedBody:
      'We have received your request to erase your data. It is already confirmed by the link you used; we will carry it out ' +
      'within one month at the latest.',
  },
} as const;

/** What each field condition of a segment tests, in words (the contact field's name; values are never shown). */
export const FIELD_WORDS: Record<string, string> = {
  id: 'your record',
  email: 'your email address',
  firstName: 'your first name',
  lastName: 'your last name',
  phone: 'your phone number',
  company: 'your company',
  country: 'your country',
  language: 'your language',
  timeZone: 'your time zone',
  birthDate: 'your date of birth',
  isChild: 'whether you are a child',
  guardianId: 'your guardian',
  consentLevel: 'your consent level',
  createdAt: 'when your record was made',
  updatedAt: 'when your record last changed',
};

export const CONDITION_WORDS = {
  field: (what: string) => `A condition on ${what}`,
  consent: (level: string) => `Your consent level is at least ${level}`,
  allowed: (purpose: string) => `Your consent allows ${purpose}`,
  list: (list: string) => `You are on the list ${list}`,
  behaviour: (type: string) => `Your activity: ${type}`,
  customField: (name: string) => `A condition on your ${name}`,
};
