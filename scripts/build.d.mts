// Types of scripts/build.mjs, for the tests that build before running the binary.
export declare function build(opts?: { quiet?: boolean; force?: boolean }): Promise<boolean>;
