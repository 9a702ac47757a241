export { readBody } from './body.ts';
export { sendError, sendJson, sendMessage, sendText } from './respond.ts';
