/** A schema error as ajv and TypeBox both give it. */
export interface SchemaError {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const oneOf = (values: readonly unknown[]) => `must be one of: ${values.map(show).join(', ')}`;

/** The schema at a JSON pointer (`#/properties/kind/anyOf`) of the root, or undefined. */
function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** The values a choice allows when every branch is a constant or null (a TypeBox union of literals); otherwise undefined. */
function choiceValues(branches: unknown): unknown[] | undefined {
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const values: unknown[] = [];
  for (const b of branches) {
    if (!b || typeof b !== 'object') return undefined;
    const s = b as Record<string, unknown>;
    if ('const' in s) values.push(s.const);
    else if (Array.isArray(s.enum)) values.push(...s.enum);
    else if (s.type === 'null' && Object.keys(s).every((k) => k === 'type' || k === 'description')) values.push(null);
    else return undefined;
  }
  return values;
}

/**
 * A value outside a choice is one problem, and it names the allowed values: "must be one of:
 * text, number, boolean, date". Validators report a union of constants as one "must be equal to
 * constant" per branch plus "must match a schema in anyOf", and an enum as "must be equal to one
 * of the allowed values" without them; this rewrites both. `root` is the schema validated, where
 * the choice's branches are read (ajv's and TypeBox's `schemaPath` both point into it).
 */
export function namedChoices<E extends SchemaError>(errors: readonly E[], root: unknown): E[] {
  const out: E[] = [];
  const done = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'enum' && Array.isArray(e.params?.allowedValues)) {
      out.push({ ...e, message: oneOf(e.params.allowedValues) });
      continue;
    }
    // The choice an error is about: ajv points the union's error at the `anyOf` array, TypeBox at
    // the schema holding it; a branch's error points inside `anyOf/<n>` (TypeBox may stop listing
    // errors before the union's own, so a branch's error alone must be enough).
    const path = e.schemaPath ?? '';
    const base =
      e.keyword === 'anyOf' ? (path.endsWith('/anyOf') ? path : `${path}/anyOf`) : (/^(.*\/anyOf)\/\d+(?:\/[^/]+)?$/.exec(path)?.[1] ?? '');
    const values = base ? choiceValues(at(root, base)) : undefined;
    if (!values) {
      out.push(e);
      continue;
    }
    const key = `${e.instancePath ?? ''}\u0000${base}`;
    if (done.has(key)) continue;
    done.add(key);
    out.push({ ...e, keyword: 'enum', schemaPath: base, params: { allowedValues: values }, message: oneOf(values) });
  }
  return out;
}
