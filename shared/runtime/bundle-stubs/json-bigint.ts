// Linked by scripts/build.ts in place of json-bigint (with bignumber.js, 25 KB): the CloudEvents SDK
// parses with it only when CE_USE_BIG_INT=true, an SDK switch eco-bots does not support.
export default function jsonBigint(): never {
  throw new Error(
    'CE_USE_BIG_INT=true is not supported: eco-bots bundles do not carry json-bigint; unset CE_USE_BIG_INT',
  );
}
