export { readBody } from './body.ts';
export { accepts, flatHeaders } from './negotiate.ts';
export { sendError, sendJson, sendMessage, sendText } from './respond.ts';
