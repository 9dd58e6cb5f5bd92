// Fixture: a VuePress site's config; no package.json names VuePress.
module.exports = { title: 'Fixture' }
