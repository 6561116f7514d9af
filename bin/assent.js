#!/usr/bin/env node
// The `assent` command. TypeScript sources run through tsx's loader, so a fresh clone
// needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
