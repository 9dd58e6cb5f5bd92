// Fixture: a Docusaurus site. Its docs plugin names a routeBasePath, so
// its doc URLs are not modelled (links without an extension not judged).
export default {title: "Fixture", presets: [["classic", {docs: {routeBasePath: "docs"}}]]};
