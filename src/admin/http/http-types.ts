/**
 * The little of Express's request and response the admin's guard and filters touch
 * (the platform's own types are not a dependency of this package).
 */
export interface HttpRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HttpResponse {
  setHeader(name: string, value: string): void;
  status(code: number): { json(body: unknown): void };
}
