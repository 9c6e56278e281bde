// Fixtures (catalog entries with `fixture: true`: the synthetic test models in ../shared/models, e.g.
// tone-alphabet, compute-20m, synthetic-piper-fixture) exist for tests and benchmarks. They are on the model
// path of every development checkout, so without this rule they would be offered to users as installed models.
// Every list shown to a person or a client (REST /v1/models and /v1/voices, gRPC ListModels/ListVoices, Settings,
// `earshot models list`) leaves them out unless the developer switch is on: EARSHOT_DEV_FIXTURES=1 or
// `--dev-fixtures`. Naming a fixture explicitly (model: 'tone-alphabet') still loads and uses it.

export const DEV_FIXTURES_ENV = 'EARSHOT_DEV_FIXTURES';

/** Whether the developer switch is on in `env` (EARSHOT_DEV_FIXTURES=1 or true). */
export function devFixturesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[DEV_FIXTURES_ENV]?.trim().toLowerCase();
  return v === '1' || v === 'true';
}

/** `items` as a listing shows them: without fixtures unless `includeFixtures`. */
export function listable<T extends { fixture?: boolean }>(items: readonly T[], includeFixtures: boolean): T[] {
  return includeFixtures ? [...items] : items.filter((i) => !i.fixture);
}
