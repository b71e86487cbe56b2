import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_VERSION } from '../common/service-version';
import { AppRegistry } from '../dispatch/app-registry.service';
import { GenerateDto } from '../dispatch/dto/generate.dto';
import { documentGeneration, generationModels } from './generation-docs';
import { loadSourceDocsMetadata } from './source-docs-metadata';

/**
 * Serves the OpenAPI document at /docs-json (and Swagger UI at /docs). The document is built
 * on its first request, once the app registry knows every app and type, and is the same
 * whether the server runs from `nest build` output or straight from the sources.
 */
export async function setUpDocs(app: INestApplication): Promise<void> {
  await loadSourceDocsMetadata(GenerateDto);
  const config = new DocumentBuilder()
    .setTitle('InsPilot API')
    .setDescription(
      'Backend of InsPilot, a multimodal creative-stimulus system for conceptual design. ' +
        'Every JSON answer is the envelope `{ success, data, code, message }`: code 0 ok, 1 business failure, ' +
        '2 model provider failure, 3 service failure. `GET /apps` lists the apps and their generation types; ' +
        '`POST /generate` has a ready-to-run example for each.',
    )
    .setVersion(SERVICE_VERSION)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'RESEARCH_API_KEY' }, 'research-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (only when the server sets one)' }, 'metrics-token')
    .build();
  SwaggerModule.setup(
    'docs',
    app,
    () => {
      const apps = app.get(AppRegistry).catalogue();
      const document = SwaggerModule.createDocument(app, config, { extraModels: generationModels(apps) });
      documentGeneration(document, apps);
      return document;
    },
    { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' },
  );
}
