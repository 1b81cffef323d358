import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AdminConfig } from '../../config/admin.config';
import type { HttpRequest, HttpResponse } from './http-types';

/** Methods that only read: they stay open even when admin.token is set. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * When admin.token is set, every mutating request (anything but GET, HEAD, OPTIONS) must
 * carry it as `Authorization: Bearer <token>`; otherwise 401 with a WWW-Authenticate
 * challenge (RFC 6750). Applied globally by method rather than per route, so a new
 * endpoint cannot be left open by forgetting a decorator.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  /** SHA-256 of the token: equal-length digests let the comparison run in constant time whatever was sent. */
  private readonly expected: Buffer | undefined;

  constructor(config: AdminConfig) {
    this.expected = config.adminToken ? digest(config.adminToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    if (SAFE_METHODS.has(request.method)) return true;
    const response = context.switchToHttp().getResponse<HttpResponse>();
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (presented === undefined) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="kafkanest"');
      throw new UnauthorizedException('this endpoint needs the admin token: Authorization: Bearer <admin.token>');
    }
    if (!timingSafeEqual(digest(presented), this.expected)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="kafkanest", error="invalid_token"');
      throw new UnauthorizedException('the bearer token is not the admin token');
    }
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
