import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

type SwaggerApp = Parameters<typeof SwaggerModule.setup>[1];

/**
 * OpenAPI at /docs (UI) and /docs-json, set up from inside the admin module so the CLI's
 * start command needs no admin knowledge. Swagger wants the Nest application object; at
 * onModuleInit the controllers' routes are registered and the 404 handler is not yet, so
 * the routes it adds are reachable. It reads only the module graph, the application config
 * (global prefix) and the HTTP adapter, which is what the view below hands it.
 */
@Injectable()
export class OpenApiDocs implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly modules: ModulesContainer,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // A standalone context (no HTTP server) has nothing to serve docs on.
    if (!adapter) return;
    const modules = this.modules;
    const app = {
      container: { getModules: () => modules },
      config: new ApplicationConfig(),
      getHttpAdapter: () => adapter,
      use: (...args: unknown[]) => (adapter.use as (...a: unknown[]) => unknown)(...args),
      useStaticAssets: (path: string, options: unknown) => (adapter as unknown as { useStaticAssets(p: string, o: unknown): unknown }).useStaticAssets(path, options),
    } as unknown as SwaggerApp;
    const config = new DocumentBuilder()
      .setTitle('kafkanest admin')
      .setDescription(
        'Cluster, topics, messages and consumer groups of a kafkanest cluster; any broker answers for the whole cluster. ' +
          'When admin.token is set, every mutating request needs it as a bearer token.',
      )
      .addBearerAuth()
      .build();
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
  }
}
