/** Tokens of the adapters' own services (the ports' tokens live in @aura/application). */
export const AuraConfigToken = Symbol.for('aura.adapters.Config');
export const DatabaseHandleToken = Symbol.for('aura.adapters.DatabaseHandle');
export const ModulesToken = Symbol.for('aura.adapters.Modules');
/** The JSON Web Key Set that verifies access tokens (published at /.well-known/jwks.json). */
export const PublicKeySetToken = Symbol.for('aura.adapters.PublicKeySet');
