import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** A 400 body for a request that failed its DTO's rules: every message, and the messages per field path. */
export interface ValidationErrorBody {
  readonly statusCode: 400;
  readonly error: 'Bad Request';
  readonly message: string[];
  /** Dotted paths (`configs.retention.ms`, `headers.0.key`) to what is wrong with each. */
  readonly fields: Record<string, string[]>;
}

export function validationErrorBody(errors: readonly ValidationError[]): ValidationErrorBody {
  const fields: Record<string, string[]> = {};
  const walk = (list: readonly ValidationError[], prefix: string): void => {
    for (const error of list) {
      const path = prefix + error.property;
      if (error.constraints) (fields[path] ??= []).push(...Object.values(error.constraints));
      if (error.children?.length) walk(error.children, `${path}.`);
    }
  };
  walk(errors, '');
  return { statusCode: 400, error: 'Bad Request', message: Object.values(fields).flat(), fields };
}

/**
 * Bodies and queries are turned into their DTO classes and checked; unknown properties
 * are refused (a misspelt `replicationfactor` must not silently mean the default).
 */
export function adminValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => new BadRequestException(validationErrorBody(errors)),
  });
}
