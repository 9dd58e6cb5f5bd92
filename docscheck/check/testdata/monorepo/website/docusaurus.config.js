module.exports = { title: "Fixture" };
