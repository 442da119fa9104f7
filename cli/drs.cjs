#!/usr/bin/env node
'use strict';
// `drs`: the project's command line. TypeScript runs through tsx, so `npx drs` works right after
// `npm ci` with no build step.
require('tsx/cjs/api').register();
require('./main.ts');
