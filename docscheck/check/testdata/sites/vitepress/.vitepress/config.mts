// Fixture: a VitePress site whose pages live in src/, English at the root.
export default {
  srcDir: 'src',
  rewrites: {
    'en/:rest*': ':rest*'
  },
  cleanUrls: true
}
