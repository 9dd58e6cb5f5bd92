-- Fixture: a Haskell script that stack compiles to ./Gen at the root.
main = pure ()
