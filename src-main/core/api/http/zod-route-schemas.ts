// Fastify style: each route declares its request and response schemas (the zod schemas of proto/) in its
// definition; Fastify validates the request before the handler runs and serializes the answer through the response
// schema, so a route cannot answer outside the contract. fastify-type-provider-zod supplies the compilers and types.
import type { FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';

/**
 * Makes an (encapsulated) plugin's routes take zod schemas, and types their handlers from them. Called by each
 * REST plugin itself, so the plugin works the same on the server and on a bare Fastify instance in a test.
 */
export function zodRoutes(app: FastifyInstance) {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  return app.withTypeProvider<ZodTypeProvider>();
}

const PART: Record<string, string> = { params: 'path', querystring: 'query', body: 'body', headers: 'headers' };

/** A request that failed its route's zod schema, as `part: field: what is wrong` (the first three problems); else null. */
export function describeSchemaValidationError(err: unknown): string | null {
  if (!hasZodFastifySchemaValidationErrors(err)) return null;
  const context = (err as { validationContext?: string }).validationContext;
  const problems = err.validation
    .slice(0, 3)
    .map((v) => {
      const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return field ? `${field}: ${v.message}` : v.message;
    })
    .join('; ');
  return `${(context && PART[context]) ?? 'request'}: ${problems}`;
}
