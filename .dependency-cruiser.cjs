/**
 * Aura boundary rules (dependency-cruiser 17.x).
 *
 * Run:   npx depcruise --config .dependency-cruiser.cjs packages apps
 * Proof: node scripts/check-boundary-rules.mjs  (plants one violation per rule and asserts it fires)
 *
 * Scope: rules apply to production code under `packages/<layer>/src/` and `apps/<app>/src/`.
 * Tests (`test/` folders, `*.test.ts` / `*.spec.ts`) are exempt from the layering rules and may
 * import vitest, fast-check, supertest … (they still must resolve).
 *
 * Workspace imports (`@aura/domain`, `@aura/application/users/contract`, …) resolve through the
 * packages' `exports` maps with the `aura-source` condition, i.e. to `packages/<pkg>/src/…ts`, so
 * every rule below sees source paths, never `node_modules/@aura/…` or `dist/`.
 */

/** Test code: exempt from the layering rules. */
const TESTS = ['(^|/)test/', '\\.(test|spec)\\.ts$'];

/** Planted files of scripts/check-boundary-rules.mjs; that script removes this exclusion when it cruises them. */
const PROBES = '(^|/)(__boundary_probe_[^/]*|__probe_[^/]+/)';

/** A module folder = the first folder under a layer's src: users, therapy, billing, notifications, platform … */
const MODULE_FOLDER = '^(packages|apps)/[^/]+/src/([^/]+)/';
/**
 * Shared kernel folders anyone may import: `platform` in every layer, and the HTTP app's
 * `middleware` (authentication, validation, error handling), where ARCHITECTURE.md puts it.
 */
const SHARED = '(platform|middleware)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ── domain ──────────────────────────────────────────────────────────────────────────────
    {
      name: 'domain-pure',
      severity: 'error',
      comment:
        'packages/domain/src imports only itself and the npm packages neverthrow and temporal-polyfill (pure calendar ' +
        'arithmetic across time zones): no Node built-ins, no other layer, no other npm package (time, ids and I/O come in as arguments).',
      from: { path: '^packages/domain/src/', pathNot: ['^packages/domain/src/testing/', ...TESTS] },
      to: { pathNot: ['^packages/domain/src/', '(^|/)node_modules/(neverthrow|temporal-polyfill)/'] },
    },
    {
      name: 'domain-pure',
      severity: 'error',
      comment: 'packages/domain/src/testing (the @aura/domain/testing entry) may additionally import fast-check.',
      from: { path: '^packages/domain/src/testing/', pathNot: TESTS },
      to: { pathNot: ['^packages/domain/src/', '(^|/)node_modules/(neverthrow|temporal-polyfill|fast-check)/'] },
    },

    // ── application ─────────────────────────────────────────────────────────────────────────
    {
      name: 'application-allowed-deps',
      severity: 'error',
      comment:
        'packages/application/src imports only application, domain, and the npm packages neverthrow, inversify, zod. ' +
        'No Node built-ins, no database/queue/HTTP libraries: those belong in adapters.',
      from: { path: '^packages/application/src/', pathNot: TESTS },
      to: {
        pathNot: ['^packages/application/src/', '^packages/domain/src/', '(^|/)node_modules/(neverthrow|inversify|zod)/'],
      },
    },

    // ── layers point inward: apps → adapters → application → domain ─────────────────────────
    {
      name: 'layers-inward',
      severity: 'error',
      comment: 'domain must not depend on application, adapters or apps.',
      from: { path: '^packages/domain/src/', pathNot: TESTS },
      to: { path: ['^packages/(application|adapters)/', '^apps/'] },
    },
    {
      name: 'layers-inward',
      severity: 'error',
      comment: 'application must not depend on adapters or apps.',
      from: { path: '^packages/application/src/', pathNot: TESTS },
      to: { path: ['^packages/adapters/', '^apps/'] },
    },
    {
      name: 'layers-inward',
      severity: 'error',
      comment: 'adapters must not depend on apps.',
      from: { path: '^packages/adapters/src/', pathNot: TESTS },
      to: { path: '^apps/' },
    },

    // ── modules ─────────────────────────────────────────────────────────────────────────────
    {
      name: 'module-isolation',
      severity: 'error',
      comment:
        'A module (first folder under src, in any layer) must not reach into a different module (in any layer). ' +
        "Allowed: the platform folder (shared kernel) and another module's contract " +
        '(packages/application/src/<module>/contract.ts, imported as @aura/application/<module>/contract). ' +
        'packages/domain/src/testing (the arbitraries entry) may import every domain module.',
      from: { path: MODULE_FOLDER, pathNot: ['^packages/domain/src/testing/', `^apps/[^/]+/src/${SHARED}/`, ...TESTS] },
      to: {
        path: '^(packages|apps)/[^/]+/src/[^/]+/',
        pathNot: [
          // same module, any layer ($2 = the importing file's module folder)
          '^(packages|apps)/[^/]+/src/$2/',
          // the shared kernel
          `^(packages|apps)/[^/]+/src/${SHARED}/`,
          // other modules' published contracts
          '^packages/application/src/[^/]+/contract\\.ts$',
        ],
      },
    },
    {
      name: 'no-barrel-from-module',
      severity: 'error',
      comment:
        'Code inside a module folder (other than platform) must not import a package root barrel ' +
        '(@aura/domain, @aura/application, …): it re-exports every module and would be a loophole around module-isolation. ' +
        'Import @aura/<pkg>/platform, @aura/<pkg>/<own-module> or @aura/application/<other>/contract instead.',
      from: {
        path: `^(packages|apps)/[^/]+/src/(?!${SHARED}/)[^/]+/`,
        pathNot: ['^packages/domain/src/testing/', ...TESTS],
      },
      to: { path: '^(packages|apps)/[^/]+/src/index\\.ts$' },
    },

    // ── hygiene ─────────────────────────────────────────────────────────────────────────────
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles inside the src folders (type-only imports count too).',
      from: { path: '^(packages|apps)/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import must resolve to a file on disk (or a Node built-in).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment:
        "An npm package imported from a workspace's src must be declared in THAT workspace's package.json " +
        '(dependency-cruiser reads the package.json closest to the importing file). ' +
        'Tests are exempt: their tools are root devDependencies.',
      from: { path: '^(packages|apps)/[^/]+/src/', pathNot: TESTS },
      to: {
        dependencyTypes: ['npm-no-pkg', 'npm-unknown'],
        // dependency-cruiser 17.4 also reads `peerDependenciesMeta` as a dependency list and tags its entries
        // 'npm-no-pkg' next to 'npm-peer' (domain's optional fast-check peer): a real declaration wins.
        dependencyTypesNot: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'],
      },
    },
  ],

  options: {
    doNotFollow: { path: 'node_modules' },
    // Anchored on purpose: `exclude` also drops DEPENDENCIES whose resolved path matches, and most npm packages
    // live under node_modules/<pkg>/dist/ — an unanchored `dist/` would hide them from every rule.
    exclude: {
      path: ['^(packages|apps)/[^/]+/(dist|coverage)/', '^(dist|coverage|\\.aura|\\.vitest-reports|bench/results)/', PROBES],
    },
    moduleSystems: ['es6', 'cjs'],
    tsPreCompilationDeps: true,
    // closest package.json per file (the workspace's own), not merged with the root one
    combinedDependencies: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['aura-source', 'import', 'types', 'default', 'node'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
