// The TypeBox schema builders the fleet uses, one named export each, plus TypeBox's schema types.
// Import the builders as a namespace, `import * as Type from '.../shared/schema/index.ts'`, and
// write `Type.Object(...)` as with TypeBox's own `Type`: the schemas are the same TypeBox schemas
// (test/shared/schema), but esbuild keeps only the builders a bot calls. TypeBox's `Type` is one
// object holding every builder (template literals, mapped types, type/extends...), all of which a
// bundle keeps once that object is referenced. Re-exporting this module as a namespace
// (`export * as Type`) would bring that back: esbuild tree-shakes a namespace only where it is
// imported with `import * as` (evanw/esbuild#1420). Add a builder here when a bot needs a new one.
export {
  Array,
  Boolean,
  Composite,
  Integer,
  Literal,
  Number,
  Object,
  Optional,
  Record,
  String,
  Union,
  Unknown,
} from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
