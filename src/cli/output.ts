/** Write to stdout and wait until it is flushed, so the process may exit right after. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    // A closed pipe (`| head`) is not an error worth reporting.
    process.stdout.write(text, () => resolve());
  });
}
