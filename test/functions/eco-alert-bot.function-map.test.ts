import { describe, expect, it } from 'vitest';
import {
  asyncFunctionUrl,
  loadGatewayConfig,
  parseFunctionMap,
} from '../../functions/eco-alert-bot/openfaas.ts';

describe('eco-alert-bot OPENFAAS_FUNCTION_MAP (the CE profile: bots as paths of category functions)', () => {
  it('invokes a mapped bot at its category function and path', async () => {
    const config = await loadGatewayConfig({
      OPENFAAS_URL: 'http://gateway.openfaas:8080/',
      OPENFAAS_FUNCTION_MAP: 'eco-cleanup-bot=eco-maintenance/eco-cleanup-bot, eco-log-bot=eco-observability',
    });
    expect(config).toBeDefined();
    if (config === undefined) return;
    expect(asyncFunctionUrl(config, 'eco-cleanup-bot')).toBe(
      'http://gateway.openfaas:8080/async-function/eco-maintenance/eco-cleanup-bot',
    );
    expect(asyncFunctionUrl(config, 'eco-log-bot')).toBe(
      'http://gateway.openfaas:8080/async-function/eco-observability',
    );
    // A bot not in the map keeps its own function name.
    expect(asyncFunctionUrl(config, 'eco-node-bot')).toBe(
      'http://gateway.openfaas:8080/async-function/eco-node-bot',
    );
  });

  it('puts the namespace on the function, not on the path', async () => {
    const config = await loadGatewayConfig({
      OPENFAAS_URL: 'http://gw:8080',
      OPENFAAS_FUNCTION_NAMESPACE: 'openfaas-fn',
      OPENFAAS_FUNCTION_MAP: 'eco-cleanup-bot=eco-maintenance/eco-cleanup-bot',
    });
    expect(config && asyncFunctionUrl(config, 'eco-cleanup-bot')).toBe(
      'http://gw:8080/async-function/eco-maintenance.openfaas-fn/eco-cleanup-bot',
    );
  });

  it('rejects a malformed entry with an error naming the variable', () => {
    expect(() => parseFunctionMap('eco-cleanup-bot')).toThrow(/OPENFAAS_FUNCTION_MAP/);
    expect(() => parseFunctionMap('eco-cleanup-bot=Bad Name')).toThrow(/OPENFAAS_FUNCTION_MAP/);
  });
});
