/**
 * Prepaid credit is counted in whole minutes. One purchase, adjustment, threshold or top-up package
 * is at most this many hours: far beyond any real package, and well inside the integer columns.
 */
export const MAX_CREDIT_HOURS = 100_000;
export const MAX_CREDIT_MINUTES = MAX_CREDIT_HOURS * 60;
