// Fixture: a build helper run with node.
console.log("ok");
