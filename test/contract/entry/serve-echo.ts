// A child-process entry for the SIGTERM and config tests: the echo bot with the real signal handling.
import { serve } from '../../../shared/runtime/index.ts';
import { echoBot } from '../../shared/fixtures/bots.ts';

void serve(echoBot, { host: '127.0.0.1' });
