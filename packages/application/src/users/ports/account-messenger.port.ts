// The port is part of the users contract: another module (notifications) may implement it.
export type { AccountMessage } from '../contract.js';
export { AccountMessenger } from '../contract.js';
