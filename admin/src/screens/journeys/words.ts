import type { JourneyState, PositionStatus, TileType } from './types';

/** A journey's state in words, with its badge's colour. */
export const JOURNEY_STATES: Record<JourneyState, { label: string; color: string; description: string }> = {
  draft: { label: 'Draft', color: 'gray', description: 'Not running: nobody enters until it goes live.' },
  live: { label: 'Live', color: 'teal', description: 'Running: contacts enter and move through it.' },
  paused: { label: 'Paused', color: 'yellow', description: 'Nobody moves on until it is resumed; contacts keep their places.' },
  stopped: { label: 'Stopped', color: 'red', description: 'Ended for good: everyone still in it has left.' },
};
export const stateWords = (s: string) => JOURNEY_STATES[s as JourneyState] ?? { label: s, color: 'gray', description: '' };

/** Each tile type in words, in the palette's order, with the sentence that says what it does. */
export const TILE_TYPES: readonly { type: TileType; label: string; description: string }[] = [
  { type: 'start', label: 'Start', description: 'How contacts come in: a segment, a form, an event, or added by hand.' },
  { type: 'email', label: 'Email', description: 'Sends one of your messages (consent is asked again before it goes).' },
  { type: 'wait', label: 'Wait', description: 'Waits for a time, or until a time of day or a date.' },
  { type: 'wait_event', label: 'Wait for event', description: 'Waits until something happens, or gives up after a time.' },
  { type: 'condition', label: 'Condition', description: 'Goes one way or the other: yes or no.' },
  { type: 'split', label: 'Split', description: 'Sends contacts down branches by share (A/B), each always the same way.' },
  { type: 'update_contact', label: 'Update contact', description: 'Sets a field of the contact.' },
  { type: 'list', label: 'List', description: 'Adds the contact to a list, or takes them off it.' },
  { type: 'task', label: 'Task', description: 'Gives your team a task about the contact, such as a sales follow-up.' },
  { type: 'end', label: 'End', description: 'The journey ends here for the contact.' },
];
export const tileTypeWords = (t: string): string => TILE_TYPES.find((x) => x.type === t)?.label ?? t.replace(/_/g, ' ');

/** Where a contact is in a journey, in words. */
export const POSITION_STATUS: Record<PositionStatus, { label: string; color: string }> = {
  active: { label: 'In the journey', color: 'blue' },
  waiting: { label: 'Waiting', color: 'blue' },
  done: { label: 'Finished', color: 'teal' },
  exited: { label: 'Left early', color: 'orange' },
  converted: { label: 'Reached the goal', color: 'teal' },
  holdout: { label: 'Held out for comparison', color: 'gray' },
};
export const positionWords = (s: string) => POSITION_STATUS[s as PositionStatus] ?? { label: s.replace(/_/g, ' '), color: 'gray' };

/** Why a contact left a journey, or never entered: the gate's reasons and the journey's own. */
const REASONS: Record<string, string> = {
  below_required_level: 'Consent level below the journey’s requirement',
  child_without_guardian_consent: 'A child without a guardian’s consent',
  child_never_profiled: 'A child: children are never profiled',
  purpose_not_for_caller: 'This purpose is only for answering the person',
  data_protection_off: 'Allowed: data protection is off',
  goal: 'Reached the goal',
  journey_stopped: 'The journey was stopped',
  message_deleted: 'The message was deleted',
  list_deleted: 'The list was deleted',
  segment_deleted: 'The segment was deleted',
  already_in: 'Already in the journey',
  already_entered: 'Went through it before (enters once)',
  reentry_wait: 'Too soon to enter again',
  holdout: 'Held out for comparison',
  not_found: 'No such contact',
  erased: 'Erased',
};
export function reasonWords(reason: string | null | undefined): string {
  if (!reason) return '—';
  return REASONS[reason] ?? reason.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** What a step did: a condition's answer, a split's branch, a wait-for-event's ending. */
export function outcomeWords(outcome: string): string {
  const branch = /^branch:(\d+)$/.exec(outcome);
  if (branch) return `Branch ${Number(branch[1]) + 1}`;
  const words: Record<string, string> = {
    done: 'Done',
    // A wait's first step starts it; its second ('done') ends it.
    waiting: 'Began waiting',
    exited: 'Left',
    converted: 'Reached the goal',
    yes: 'Yes',
    no: 'No',
    event: 'The event came',
    timeout: 'Gave up waiting',
  };
  return words[outcome] ?? outcome.replace(/_/g, ' ');
}

/** The API's problem codes in plain words (the API's own message where a code is new). */
const PROBLEMS: Record<string, string> = {
  no_start: 'The journey needs a start tile.',
  several_starts: 'Only one start tile: remove this one.',
  duplicate_id: 'Two tiles have the same id.',
  unknown_next: 'Goes to a tile that does not exist: connect it again.',
  missing_next: 'Not connected: drag from its output to the next tile.',
  unreachable: 'Nothing leads here: connect a tile to it, or remove it.',
  cycle_without_wait: 'Loops back without a wait: add a wait to the loop.',
  needs_more_consent: 'Needs more consent than the journey requires: raise the requirement or change the tile.',
  message_wrong_purpose: 'This message’s purpose cannot be used in a journey.',
  unknown_message: 'Choose a message.',
  unknown_segment: 'Choose a segment.',
  unknown_form: 'Choose a form.',
  unknown_event: 'Choose an event type.',
  unknown_list: 'Choose a list.',
  unknown_field: 'Choose a field the journey may set (not consent).',
  bad_duration: 'Give a time longer than zero.',
  split_not_100: 'The branches’ shares must add up to 100%.',
  end_missing: 'A path here never ends: lead it to an end tile.',
  not_connected: 'Not connected: drag from its output to the next tile.',
};
export const problemWords = (code: string, message: string): string => PROBLEMS[code] ?? message;

/** "Did X since entering": the interaction types a condition may ask about, in words. */
export const DID_TYPES: readonly { value: string; label: string }[] = [
  { value: 'email_opened', label: 'Opened an email' },
  { value: 'email_clicked', label: 'Clicked a link in an email' },
  { value: 'email_delivered', label: 'Was delivered an email' },
  { value: 'email_bounced', label: 'Had an email bounce' },
  { value: 'page_visited', label: 'Visited a page' },
  { value: 'form_submitted', label: 'Submitted a form' },
  { value: 'custom', label: 'Did something your site reports (a custom interaction)' },
];

/** Standard fields an update tile may set (consent is never set by a journey: only the person changes it). */
export const CONTACT_FIELDS: readonly { value: string; label: string }[] = [
  { value: 'firstName', label: 'First name' },
  { value: 'lastName', label: 'Last name' },
  { value: 'phone', label: 'Phone' },
  { value: 'company', label: 'Company' },
  { value: 'country', label: 'Country' },
  { value: 'language', label: 'Language' },
  { value: 'timeZone', label: 'Time zone' },
];

/** The roles a task may go to, as the team calls them. */
export const TASK_ROLES: readonly { value: 'marketer' | 'privacy_officer' | 'admin'; label: string }[] = [
  { value: 'marketer', label: 'Marketing (marketers)' },
  { value: 'privacy_officer', label: 'The privacy team (privacy officers)' },
  { value: 'admin', label: 'Administrators' },
];
