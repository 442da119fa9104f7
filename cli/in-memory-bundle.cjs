'use strict';
// Runs our TypeScript as esbuild bundles built in memory when a .ts file is first required: nothing
// is written, so no stale build can ever run, and no build step is needed after `npm ci`. Under
// tsx every file is a module of its own and every imported binding a getter call; a bundle is one
// scope, and drs score's hot path runs ~15% faster in it. Packages stay external (node_modules).
//
// Each required .ts file becomes one bundle of everything it imports, except the paths matching
// `lazy` (drs's command modules, required only when their command runs): those are bundled when
// they are required, so `drs --help` builds six files and `drs score` its own ~20, not all 120.
//
// As a command: `node cli/in-memory-bundle.cjs <file.ts> [args...]` runs that file so.
const Module = require('node:module');
const { dirname, join, relative, resolve } = require('node:path');

const ROOT = join(__dirname, '..');

// A bundled file's __dirname and __filename would be the bundle's entry's: each file keeps its own
// (the model folder, api/openapi.json, the twin's child scripts and config are found from them).
// esbuild renames the two where the code uses them (never in a string or a property name) and
// starts each file's code with a `// <path from the root>` line (when not minifying).
const OWN = { __dirname: '__drs_own_dirname__', __filename: '__drs_own_filename__' };
const FILE_MARK = /^\/\/ (\S+\.[cm]?[jt]sx?)$/gm;
const OWN_PATHS = /\b__drs_own_(dirname|filename)__\b/g;

function withOwnPaths(code) {
  const marks = [...code.matchAll(FILE_MARK)];
  let out = code.slice(0, marks.length ? marks[0].index : code.length);
  marks.forEach((mark, i) => {
    const file = join(ROOT, mark[1]);
    const part = code.slice(mark.index, i + 1 < marks.length ? marks[i + 1].index : code.length);
    out += part.replace(OWN_PATHS, (_, which) => JSON.stringify(which === 'dirname' ? dirname(file) : file));
  });
  // Outside any file's code (esbuild's output changed its shape?): better no bundle than a wrong path.
  if (out.includes('__drs_own_')) throw new Error('a __dirname or __filename of the bundle could not be placed in its file');
  return out;
}

let loaded;
// esbuild's buildSync would otherwise start a worker thread and keep an esbuild service process
// beside us for the whole run; one short esbuild process per build (waited for) costs less here.
function esbuild() {
  if (loaded) return loaded;
  const before = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  try {
    loaded = require('esbuild');
  } finally {
    if (before === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = before;
  }
  return loaded;
}

/** The bundle of the TypeScript file `entry` as CommonJS text, with an inline source map. */
function bundle(entry, lazy = []) {
  const result = esbuild().buildSync({
    entryPoints: [resolve(entry)],
    absWorkingDir: ROOT,
    // Never written: it places the source map's paths relative to the entry, whose module this is.
    outfile: `${resolve(entry)}.bundle.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    external: lazy,
    define: OWN,
    // Stack traces name the .ts files and lines (process.setSourceMapsEnabled below).
    sourcemap: 'inline',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
  });
  return withOwnPaths(result.outputFiles[0].text);
}

let registered;
/**
 * From now on, `require` of a .ts file loads its in-memory bundle (with `lazy` import paths, e.g.
 * './*-command', left to be required, and bundled, when they are).
 */
function registerBundles(lazy = []) {
  if (registered) return;
  registered = true;
  process.setSourceMapsEnabled(true);
  Module._extensions['.ts'] = (module, filename) => {
    if (relative(ROOT, filename).split(/[\\/]/)[0] === 'node_modules') throw new Error(`${filename}: a package's TypeScript is not bundled`);
    module._compile(bundle(filename, lazy), filename);
  };
}

/** Runs the TypeScript file `entry` from its bundle. */
function runBundled(entry, lazy = []) {
  registerBundles(lazy);
  return require(resolve(entry));
}

module.exports = { bundle, registerBundles, runBundled };

if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node cli/in-memory-bundle.cjs <file.ts> [args...]\n');
    process.exit(2);
  }
  // The file sees the arguments as if it had been started itself.
  process.argv = [process.argv[0], resolve(entry), ...args];
  registerBundles();
  // As node would load it: the main module (`require.main === module` holds in it).
  Module._load(resolve(entry), null, true);
}
