/** Entry point for GraphQL Code Generator (`codegen.ts`): the schema as the server builds it. */
import { buildGatewaySchema } from './build-schema.js';

export const schema = await buildGatewaySchema();
