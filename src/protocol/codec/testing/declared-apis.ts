import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiSpec } from '../schema';

/**
 * Test support: the APIs declared in src/protocol/schemas, however far along that
 * folder is. `registered` is ALL_APIS from schemas/index.ts when it exists; `found` is
 * every ApiSpec exported by a *.schema.ts file, so codec suites cover declarations
 * before (and whether or not) they are registered.
 */
export interface DeclaredApis {
  registered: ApiSpec[] | null;
  found: ApiSpec[];
}

const SCHEMAS_DIR = path.resolve(__dirname, '..', '..', 'schemas');

function isApiSpec(x: unknown): x is ApiSpec {
  const a = x as ApiSpec;
  return typeof x === 'object' && x !== null && typeof a.apiKey === 'number' && typeof a.validVersions === 'string' && typeof a.request === 'object';
}

export function loadDeclaredApis(): DeclaredApis {
  let registered: ApiSpec[] | null = null;
  const hasIndex = fs.existsSync(path.join(SCHEMAS_DIR, 'index.ts'));
  if (hasIndex) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(SCHEMAS_DIR) as { ALL_APIS?: ApiSpec[] };
    registered = mod.ALL_APIS ?? null;
  }
  const found = new Map<number, ApiSpec>();
  const files = fs.existsSync(SCHEMAS_DIR) ? fs.readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.ts')).sort() : [];
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(SCHEMAS_DIR, file)) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (isApiSpec(v) && !found.has(v.apiKey)) found.set(v.apiKey, v);
  }
  for (const api of registered ?? []) if (!found.has(api.apiKey)) found.set(api.apiKey, api);
  return { registered, found: [...found.values()].sort((a, b) => a.apiKey - b.apiKey) };
}
