import { describe, expect, it } from 'vitest';
import {
  BotError,
  ConfigError,
  HttpError,
  SinkDeliveryError,
  ValidationError,
  errorToResponse,
  isBotError,
  isConfigError,
  isHttpError,
  isSinkDeliveryError,
  isValidationError,
  toBotError,
} from '../../../shared/errors/index.ts';

describe('errors', () => {
  it('render themselves as the fleet JSON error body with their status and headers', () => {
    const e = new HttpError('unauthorized', 401, 'no', { headers: { 'www-authenticate': 'Bearer' } });
    expect(errorToResponse(e)).toEqual({
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
      body: { error: { code: 'unauthorized', message: 'no' } },
    });
    expect(JSON.parse(JSON.stringify(new ValidationError('bad /x')))).toEqual({
      error: { code: 'invalid-options', message: 'bad /x' },
    });
  });

  it('anything else is a 500 bot-failed, and never reads a Node string code as a status', () => {
    const sys = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', status: 'weird' });
    expect(errorToResponse(sys)).toEqual({
      status: 500,
      headers: {},
      body: { error: { code: 'bot-failed', message: 'connect ECONNREFUSED' } },
    });
    expect(errorToResponse('str').body.error.message).toBe('str');
    expect(toBotError(new Error('x'))).toBeInstanceOf(BotError);
    const own = new ValidationError('v');
    expect(toBotError(own)).toBe(own);
  });

  it('type guards narrow, including look-alikes from another copy of the kit', () => {
    expect(isValidationError(new ValidationError('v'))).toBe(true);
    expect(isConfigError(new ConfigError('PORT', 'bad'))).toBe(true);
    expect(isSinkDeliveryError(new SinkDeliveryError('s', 3, 500))).toBe(true);
    expect(isHttpError(new HttpError('not-found', 404, 'n'))).toBe(true);
    expect(isBotError(new ConfigError('PORT', 'bad'))).toBe(true);
    expect(isBotError(new Error('plain'))).toBe(false);
    expect(isValidationError(new HttpError('not-found', 404, 'n'))).toBe(false);
    const foreign = Object.assign(new Error('f'), {
      name: 'ValidationError',
      issues: [],
      code: 'invalid-options',
      status: 400,
      toJSON: () => ({}),
    });
    expect(isValidationError(foreign)).toBe(true);
    expect(isBotError(foreign)).toBe(true);
  });

  it('ConfigError names the variable in its message', () => {
    expect(new ConfigError('ECO_MODE', 'bad').message).toBe('ECO_MODE: bad');
  });
});
