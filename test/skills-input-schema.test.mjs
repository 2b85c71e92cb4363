// Input-schema structure rules and legacy parameter derivation, keyword by keyword.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkEntryInputSchemaRoot, deriveLegacyParameters, legacyParameterType, schemaFromParameters } from '../dist/index.js';

const label = 'skill entry e input_schema';
const refused = (schema) => {
  try {
    checkEntryInputSchemaRoot(schema, label);
  } catch (error) {
    assert.equal(error.code, 'invalid_input_schema');
    return error.message;
  }
  return undefined;
};

test('structural rules name the offending keyword', () => {
  const rows = [
    [[], `${label} must be one JSON object schema`],
    [{}, `${label}.type must be present and equal to "object"`],
    [{ type: ['object'] }, `${label}.type must be "object"`],
    [{ type: '' }, `${label}.type must not be empty`],
    [{ type: [] }, `${label}.type must not be an empty array`],
    [{ type: 'object', description: 1 }, `${label}.description must be one string`],
    [{ type: 'object', properties: [] }, `${label}.properties must be an object`],
    [{ type: 'object', properties: { ' ': {} } }, `${label}.properties must not contain empty property names`],
    [{ type: 'object', properties: { a: { type: [1] } } }, `${label}.properties.a.type[0] must be one string`],
    [{ type: 'object', required: 'a' }, `${label}.required must be an array of strings`],
    [{ type: 'object', required: [''] }, `${label}.required[0] must not be empty`],
    [{ type: 'object', enum: 1 }, `${label}.enum must be an array`],
    [{ type: 'object', properties: { a: { items: 1 } } }, `${label}.properties.a.items must be one schema object or one schema array`],
    [{ type: 'object', properties: { a: { prefixItems: [] } } }, `${label}.properties.a.prefixItems must not be empty`],
    [{ type: 'object', additionalProperties: 'no' }, `${label}.additionalProperties must be one boolean or one schema object`],
    [{ type: 'object', anyOf: {} }, `${label}.anyOf must be an array of schema objects`],
    [{ type: 'object', oneOf: [] }, `${label}.oneOf must not be empty`],
    [{ type: 'object', not: true }, `${label}.not must be one JSON object schema`],
    [{ type: 'object', $defs: { x: { if: 3 } } }, `${label}.$defs.x.if must be one JSON object schema`],
    [{ type: 'object', patternProperties: { '^a': { else: [] } } }, `${label}.patternProperties.^a.else must be one JSON object schema`],
  ];
  for (const [schema, message] of rows) assert.equal(refused(schema), message, JSON.stringify(schema));
  assert.equal(refused({ type: 'object', additionalProperties: false, properties: { a: { type: ['string', 'null'], items: [{}] } } }), undefined);
});

test('legacy parameters: schema built from parameters, types derived from schemas', () => {
  assert.deepEqual(schemaFromParameters([]), { type: 'object', properties: {} });
  assert.deepEqual(
    schemaFromParameters([
      { name: 'b', type: 'integer', description: ' ', required: false },
      { name: 'a', type: 'string', description: 'A', required: true },
    ]),
    { type: 'object', properties: { b: { type: 'integer' }, a: { type: 'string', description: 'A' } }, required: ['a'] },
  );
  assert.deepEqual(
    [{ type: 'x' }, { type: ['a', 'b'] }, { properties: {} }, { items: {} }, { prefixItems: [{}] }, { allOf: [{}] }, {}, true].map(legacyParameterType),
    ['x', 'a | b', 'object', 'array', 'array', 'union', 'schema', 'schema'],
  );
  assert.deepEqual(deriveLegacyParameters({ type: 'object' }), []);
  assert.deepEqual(deriveLegacyParameters({ type: 'object', properties: { z: { description: 'Z' }, a: {} }, required: ['z'] }), [
    { name: 'a', param_type: 'schema', description: '', required: false },
    { name: 'z', param_type: 'schema', description: 'Z', required: true },
  ]);
});
