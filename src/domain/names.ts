/** The longest name of a customer, project or employee: the forms, the services and the setup file share it. */
export const MAX_NAME_LENGTH = 100;
