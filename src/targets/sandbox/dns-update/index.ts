/** @module Public API of the RFC 2136 UPDATE client with TSIG: how the operator twin publishes records straight to named. */
export { sendUpdate, applyUpdate, type UpdateTarget, type UpdateResult } from './update-client.js';
export { buildUpdate, rrTypeCode, updateFlags, type RrData, type RrSet, type RrType, type UpdateOp } from './update-message.js';
export { signMessage, verifyTsig, extractTsig, tsigVariables, tsigMac, type TsigKeySpec, type TsigRecord, type TsigVerdict, type SignedMessage } from './tsig.js';
export { DnsUpdateError, rcodeName } from './update-error.js';
