// Fixture: joins sections/*.md into one page, an id per file.
const md = require('markdown-it')();
