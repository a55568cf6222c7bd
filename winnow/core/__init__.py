"""Pure computation: never imports Django or a Winnow app (import-linter enforces it)."""
