#!/usr/bin/env node
'use strict';
// `drs`: the project's command line. It runs from esbuild bundles of our TypeScript built in
// memory at start (cli/in-memory-bundle.cjs): `npx drs` works right after `npm ci` with no build
// step and no stale build, and the batch scorer runs ~15% faster than file by file under tsx.
// Children it starts with `--import tsx` (the twin's synth) would otherwise keep a compile cache
// in the temporary directory (tsx-<uid>) after every run.
process.env.TSX_DISABLE_CACHE ??= '1';
// The AWS SDK's notice that its 2027 releases need Node 22 (the documented runtime; Lambda runs
// nodejs22.x). On Node 20, where CI still runs, it would be printed by every drs command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Each command's module (main.ts requires it when its command runs) is bundled when required.
require('./in-memory-bundle.cjs').runBundled(require('node:path').join(__dirname, 'main.ts'), ['./*-command']);
