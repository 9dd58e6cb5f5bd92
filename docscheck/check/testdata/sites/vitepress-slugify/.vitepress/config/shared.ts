// Fixture: a VitePress site with its own slugify (case kept) and custom
// heading-attribute delimiters.
export const slugify = (str: string): string => str.replace(/[\s]+/g, '-')

export const sharedConfig = {
  markdown: {
    attrs: { leftDelimiter: '%{', rightDelimiter: '}%' },
    anchor: { slugify },
  },
}
