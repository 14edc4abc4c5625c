import { z } from 'zod';

/**
 * Schema pieces that OpenAI's strict function calling accepts (the OpenAI
 * Agents SDK's `convertSchemasToStrict`, Codex): strict mode makes every
 * property required and sends `null` for the ones the model leaves out, and
 * it refuses objects that do not say `additionalProperties: false`.
 */

/**
 * `schema` or `null`, listed as `anyOf: [schema, {type: "null"}]` whatever
 * `schema` is. Zod folds a bare type into `type: ["string", "null"]` and
 * keeps anyOf for the rest, so tools would spell optional arguments two ways
 * (schema checkers flag the mix, and some clients read only one); a null
 * branch with a description is never folded.
 */
function orNull<T extends z.ZodType>(schema: T): z.ZodOptional<z.ZodUnion<readonly [T, z.ZodNull]>> {
  return z.union([schema, z.null().describe('not given')]).optional();
}

/** An optional argument for which `null` means "not given", as strict-mode clients send it. */
export function optional<T extends z.ZodType>(
  schema: T,
): z.ZodOptional<
  z.ZodPipe<z.ZodOptional<z.ZodUnion<readonly [T, z.ZodNull]>>, z.ZodTransform<z.output<T> | undefined, z.output<T> | null | undefined>>
> {
  // The outer optional keeps the parsed field optional in the type, as a plain .optional() would.
  return orNull(schema)
    .transform((value) => value ?? undefined)
    .optional();
}

/** An optional argument with a default, `null` included. */
export function withDefault<T extends z.ZodType>(
  schema: T,
  fallback: z.output<T>,
): z.ZodPipe<z.ZodOptional<z.ZodUnion<readonly [T, z.ZodNull]>>, z.ZodTransform<z.output<T>, z.output<T> | null | undefined>> {
  return orNull(schema).transform((value) => value ?? fallback);
}

/**
 * An object whose JSON Schema is closed (`additionalProperties: false`), as
 * strict mode requires. Parsing still drops unknown keys rather than failing,
 * so a client or model that sends an extra field is not refused for it.
 */
export function closed<Shape extends z.ZodRawShape>(shape: Shape): z.ZodObject<Shape> {
  return z.object(shape).meta({ additionalProperties: false });
}
