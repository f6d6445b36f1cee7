/** Tokens of the adapters' own services (the ports' tokens live in @aura/application). */
export const AuraConfigToken = Symbol.for('aura.adapters.Config');
export const DatabaseHandleToken = Symbol.for('aura.adapters.DatabaseHandle');
export const ModulesToken = Symbol.for('aura.adapters.Modules');
