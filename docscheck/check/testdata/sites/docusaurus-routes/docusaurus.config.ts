// Fixture: a Docusaurus site with the docs plugin at its defaults, so
// every doc's URL is known; a redirect serves one more.
export default {
  title: "Routes",
  plugins: [["@docusaurus/plugin-client-redirects", {redirects: [{from: "/docs/old-clock", to: "/docs/clock"}]}]],
};
