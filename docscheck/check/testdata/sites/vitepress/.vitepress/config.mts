// Fixture: a VitePress site whose pages live in src/, English at the root.
// A plugin's own srcDir (a PWA's, in a hidden folder) comes first: it is
// not the pages folder.
const pwa = { srcDir: '.vitepress/', filename: 'sw.ts' }

export default {
  srcDir: 'src',
  rewrites: {
    'en/:rest*': ':rest*'
  },
  cleanUrls: true,
  pwa
}
