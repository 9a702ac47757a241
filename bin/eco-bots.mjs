#!/usr/bin/env node
// The package's bin: loads the TypeScript CLI through tsx's loader in this same process (no extra
// process, signals reach the CLI directly), so `npx eco-bots ...` works from a clone after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../local/main.ts');
