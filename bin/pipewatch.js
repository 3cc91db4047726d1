#!/usr/bin/env node
// The CLI runs from the TypeScript source through tsx, so there is no build step to forget.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const root = dirname(dirname(fileURLToPath(import.meta.url)));
await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
