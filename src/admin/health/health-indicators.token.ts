/**
 * The indicators GET /health runs, as terminus HealthIndicatorFunctions. Empty for now;
 * the metadata store session and log-dir checks (issue 9) are added by providing this
 * token from a factory that injects them.
 */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
