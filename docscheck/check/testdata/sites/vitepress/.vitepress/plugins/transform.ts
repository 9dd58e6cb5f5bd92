// Fixture: a markdown transform that appends a section to every page at
// build time.
export function transform(code: string): string {
  return `${code}\n\n## Type Declarations\n\n(generated)\n`
}
