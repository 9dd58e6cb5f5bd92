// Fixture: a site plugin (its code is not read).
export default function stripMdExtension() { return {}; }
