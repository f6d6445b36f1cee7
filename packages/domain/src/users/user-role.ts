export type UserRole = 'patient' | 'therapist' | 'admin';
export const USER_ROLES: readonly UserRole[] = ['patient', 'therapist', 'admin'];
/** Roles a person may choose when registering; admins are created by an operator. */
export const SELF_REGISTRATION_ROLES: readonly UserRole[] = ['patient', 'therapist'];

export type UserStatus = 'pending_verification' | 'active' | 'deactivated';
export const USER_STATUSES: readonly UserStatus[] = ['pending_verification', 'active', 'deactivated'];
