/**
 * The indicators GET /health runs, as terminus HealthIndicatorFunctions: the metadata
 * store session and the log dirs (provided by HealthModule from a factory).
 */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
