"""The shared base: helpers every app may use. Imports no app of the project."""
