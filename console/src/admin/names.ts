/** The platform's rule for budget and alert rule names: the problem with `name`, or false. */
export const nameProblem = (name: string): string | false =>
  !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) &&
  'A name is 1–64 letters, digits, _ . - (starting with a letter or digit).';
