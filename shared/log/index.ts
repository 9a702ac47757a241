export { createLogger, isLogLevel, LOG_LEVELS, silentLogger } from './logger.ts';
export type { LoggerOptions } from './logger.ts';
export type { Logger, LogLevel } from './types.ts';
