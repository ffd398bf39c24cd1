/** Limits and checks of a customer's or an employee's contact details, the same in the forms and in a setup file. */

export const MAX_ADDRESS_LENGTH = 2000;
export const MAX_NOTES_LENGTH = 2000;
const MAX_EMAIL_LENGTH = 200;

/** One plain email address (no name, no list): what an invoice can be sent to. */
export function isEmailAddress(text: string): boolean {
  return text.length <= MAX_EMAIL_LENGTH && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
}
