// Fixture: a Docusaurus site.
export default {title: "Fixture"};
