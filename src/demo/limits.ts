// What `assent demo` accepts, read by the command line without loading the generator.

export const DEFAULT_CONTACTS = 500;
export const MAX_CONTACTS = 200_000;
export const DEFAULT_SEED = 'assent';
