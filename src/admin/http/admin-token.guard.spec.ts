import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { AdminConfig } from '../../config/admin.config';
import { AdminTokenGuard } from './admin-token.guard';

const TOKEN = 'correct-horse-battery-staple';

function call(guard: AdminTokenGuard, method: string, authorization?: string) {
  const headers: Record<string, string> = {};
  const request = { method, headers: authorization === undefined ? {} : { authorization } };
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  try {
    return { allowed: guard.canActivate(context), headers, error: undefined };
  } catch (error) {
    return { allowed: false, headers, error: error as Error };
  }
}

describe('AdminTokenGuard', () => {
  const guarded = new AdminTokenGuard({ adminToken: TOKEN } as AdminConfig);

  it('lets everything through when admin.token is not set', () => {
    const open = new AdminTokenGuard({} as AdminConfig);
    expect(call(open, 'DELETE').allowed).toBe(true);
    expect(call(open, 'POST', 'Bearer whatever').allowed).toBe(true);
  });

  it.each(['GET', 'HEAD', 'OPTIONS'])('leaves %s open: reads need no token', (method) => {
    expect(call(guarded, method).allowed).toBe(true);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses %s without a token with 401 and a Bearer challenge', (method) => {
    const { error, headers } = call(guarded, method);
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(headers['WWW-Authenticate']).toBe('Bearer realm="kafkanest"');
  });

  it('refuses a wrong token, one of another length, and another scheme', () => {
    for (const authorization of ['Bearer correct-horse-battery-stapler', 'Bearer x', `Basic ${TOKEN}`, TOKEN]) {
      const { error, headers } = call(guarded, 'POST', authorization);
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(headers['WWW-Authenticate']).toMatch(/^Bearer realm="kafkanest"/);
    }
    expect(call(guarded, 'POST', 'Bearer nope').headers['WWW-Authenticate']).toBe('Bearer realm="kafkanest", error="invalid_token"');
  });

  it('accepts the token, the scheme in any case', () => {
    expect(call(guarded, 'POST', `Bearer ${TOKEN}`).allowed).toBe(true);
    expect(call(guarded, 'DELETE', `bearer ${TOKEN}`).allowed).toBe(true);
  });
});
