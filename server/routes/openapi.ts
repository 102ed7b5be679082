/** GET /api/openapi.json — the OpenAPI 3.1 document, generated from the route registry. */
import { z } from 'zod';
import { presented, reply, type Presented } from '../http/present';
import { paramsSchemaFor, type RouteRegistry, type RouteInfo } from '../http/router';

function jsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return { type: 'object' };
  }
}

type JsonObject = { properties?: Record<string, unknown>; required?: string[] };

/** OpenAPI parameters from the same zod object the router parses the path or query with. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema) as JsonObject;
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: where, required: where === 'path' || !!json.required?.includes(name), schema: s }));
}

function operation(route: RouteInfo) {
  const doc = route.doc ?? { summary: `${route.method.toUpperCase()} ${route.path}` };
  const declared = parametersOf(paramsSchemaFor(route.path, doc.params), 'path');
  // Legacy routes without a schema still list every path parameter.
  const params = [
    ...[...route.path.matchAll(/:(\w+)/g)].map((m) => declared.find((p) => p.name === m[1]) ?? { name: m[1], in: 'path', required: true, schema: { type: 'string' } }),
    ...parametersOf(doc.query, 'query'),
  ];
  const success = doc.success ?? { status: 200, description: 'OK' };
  const content = doc.produces ? { [doc.produces]: { schema: { type: 'string', format: 'binary' } } } : { 'application/json': { schema: { type: 'object' } } };
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags ?? [],
    ...(params.length ? { parameters: params } : {}),
    ...(doc.body
      ? { requestBody: { required: true, content: { [doc.multipart ? 'multipart/form-data' : 'application/json']: { schema: jsonSchema(doc.body) } } } }
      : {}),
    ...(doc.public ? { security: [] } : {}),
    responses: {
      [String(success.status)]: { description: success.description, ...(success.status === 204 ? {} : { content }) },
      '400': { description: 'Invalid input: `error.fields` names each field and the reason', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      '401': { description: 'Not logged in' },
      '403': { description: 'Not allowed' },
      '404': { description: 'Not found, or not yours to see' },
    },
  };
}

/** Stage modules' pages, forms, global routes and webhooks (their URL spaces, docs/ARCHITECTURE.md "Routes"). */
const MODULE_SPACE = /^(\/cohorts\/:cohortId\/stages\/|\/cohorts\/:cohortId\/live(\/|$)|\/stages\/|\/webhooks\/)/;

/** Protocol endpoints that other systems call without a login (LTI 1.3 login, launch and key set) are documented too,
 * and every stage module's route (pages and forms too: what a module adds is all in the document, and fuzzed). */
function documented(route: RouteInfo): boolean {
  return route.path.startsWith('/api/v1') || MODULE_SPACE.test(route.path) || (!!route.doc?.public && (route.path.startsWith('/lti/') || route.path.startsWith('/.well-known/')));
}

/** Builds the OpenAPI document from every /api route (and public protocol endpoint) in the registry. */
export function buildOpenApi(registry: RouteRegistry) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of registry.routes) {
    if (!documented(route)) continue;
    const key = route.path.replace(/:(\w+)/g, '{$1}');
    paths[key] ??= {};
    paths[key][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Cadre API', version: '1.0.0', description: 'Trainer development: cohorts, progression, sign-offs, rubrics, live feedback and readiness. Log in with POST /api/v1/session; send JSON bodies.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'cadre.sid' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
      },
    },
    security: [{ session: [] }],
    paths,
  };
}

/** Mounts the document route. */
export function openApiRoutes(registry: RouteRegistry) {
  const r = registry.router('/api');
  let cached: Presented | undefined;
  r.get('/openapi.json', { summary: 'This document', authorize: 'public' }, () => {
    cached ??= presented(buildOpenApi(registry));
    return reply(cached);
  });
  return [r];
}
