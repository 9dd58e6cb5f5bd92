-- Fixture: a Haskell build script that stack compiles to ./tools/Build.
main = pure ()
