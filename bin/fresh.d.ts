// Types of bin/fresh.js (plain JavaScript: bin/ runs before any TypeScript loader).
export declare const STAMP: string;
export declare function isFresh(root: string): boolean;
